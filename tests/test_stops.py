"""StopScanner: stop strings end the text, partial stops and half characters are held back."""
from generation.stops import StopScanner


def feed_all(scanner, texts):
    return "".join(scanner.feed(t) for t in texts)


def test_no_stops_passes_text_through():
    s = StopScanner()
    assert feed_all(s, ["a", "ab", "abc"]) == "abc"


def test_stop_string_cuts_and_stops():
    s = StopScanner(("END",))
    out = feed_all(s, ["he", "hello E", "hello EN", "hello END more"])
    assert out == "hello "
    assert s.stopped
    assert s.feed("hello END more and more") == ""


def test_partial_stop_is_held_back_then_released():
    s = StopScanner(("\n\n",))
    assert s.feed("line\n") == "line"
    assert s.feed("line\nnext") == "\nnext"


def test_half_character_is_held_back():
    s = StopScanner()
    assert s.feed("caf\ufffd") == "caf"
    assert s.feed("café") == "é"


def test_finish_releases_the_rest():
    s = StopScanner(("STOP",))
    assert s.feed("abc ST") == "abc "
    assert s.finish("abc ST") == "ST"
