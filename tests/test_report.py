"""The Markdown report of a summary: conversation, exact prompt and facts, as the Summarize page downloads it."""
from __future__ import annotations

from encoders import Encoding, Fact
from geollm.report import summary_report


def test_report_holds_the_chat_the_prompt_and_every_fact():
    encoding = Encoding("stats", "rows: 30\nmax temp 14.2", [Fact("shape.rows", 30), Fact("var:t.max", 14.2, "°C",
                                                                                         "14.2")], tokens=12)
    chat = [{"role": "assistant", "content": "It has 30 rows."}, {"role": "user", "content": "Max?"}]
    report = summary_report("rain.csv", chat, encoding)
    assert report == ("# Summary of rain.csv\n\n**assistant:** It has 30 rows.\n\n**user:** Max?\n\n---\n"
                      "## Prompt (stats, 12 tokens)\n\n```\nrows: 30\nmax temp 14.2\n```\n\n## Facts\n\n"
                      "| key | value | unit |\n|---|---|---|\n| shape.rows | 30 |  |\n| var:t.max | 14.2 | °C |\n")
