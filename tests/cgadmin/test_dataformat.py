"""The data format codec: the spec's vectors, the writer's exact output, limits and round-trip properties."""

import datetime
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgadmin.dataformat import (
    MAX_DEPTH,
    MAX_SIZE,
    XML,
    DataFormatError,
    IPAddr,
    TimeMark,
    Value,
    dump_settings_file,
    dumps,
    dumps_pretty,
    load_settings_file,
    loads,
    parse_object,
    skip_space,
)

# ---------------------------------------------------------------------------------------------------
# Reader: the vectors of spec/dataformat.md, then more of the grammar
# ---------------------------------------------------------------------------------------------------

SPEC_VECTORS = [
    ("MyName", "MyName"),
    ('"My Name with . and spaces"', "My Name with . and spaces"),
    (r'"a \"quoted\" word"', 'a "quoted" word'),
    (r'"one \\ backslash"', "one \\ backslash"),
    (r'"Line1\eLine2"', "Line1\nLine2"),
    (r'"tab\there"', "tab\there"),
    (r'"\012"', "\x0c"),
    ('"ab" "cd"', "abcd"),
    ('"Привет"', "Привет"),
    ("[SGVsbG8=]", b"Hello"),
    ('(a, "b c", (d, e), {k=v;})', ["a", "b c", ["d", "e"], {"k": "v"}]),
    ("()", []),
    ("{}", {}),
    (
        '{Key1=(E1,E2); "$Key2"={Sub1="X 1"; Sub2=X245;};}',
        {"Key1": ["E1", "E2"], "$Key2": {"Sub1": "X 1", "Sub2": "X245"}},
    ),
    ("#-234657", -234657),
    ("#0x17EF", 6127),
    ("#0o45374", 19196),
    ("#-0b1000111000", -568),
    ("#T22-10-2009", datetime.date(2009, 10, 22)),
    ("#T22-10-2009_15:24:45", datetime.datetime(2009, 10, 22, 15, 24, 45)),
    ("#I[10.0.44.55]:25", IPAddr("10.0.44.55", 25)),
    ("#I[2001:470:1f01:2565::a:80f]:25", IPAddr("2001:470:1f01:2565::a:80f", 25)),
    ("#NULL#", None),
]

SPEC_ERROR_VECTORS = [
    ("{a=b}", 4, "';' after dictionary entry"),
    ("(a,", 3, "object"),
    ('"abc', 4, "'\"' closing the string"),
    ("#12x", 3, "end of number"),
]

GRAMMAR_VECTORS = [
    ("a.b-c_d@e!f%g:h", "a.b-c_d@e!f%g:h"),
    ("Привет", "Привет"),
    ("-1", "-1"),
    ('""', ""),
    (r'"\r\n\e\t"', "\r\n\n\t"),
    (r'"\000\255"', "\x00\xff"),
    ("\"\\u'41'\\u'1F600'\\u'10FFFF'\"", "A\U0001f600\U0010ffff"),
    ('"a"\n  "b" "c"', "abc"),
    ('"a" // comment\n "b"', "ab"),
    ('"line\nbreak"', "line\nbreak"),
    ("[]", b""),
    ("[SGVs\n  bG8=]", b"Hello"),
    ("[SGVs] [bG8=]", b"Hello"),
    ("[SGVsbA==][bw==]", b"Hello"),
    ("#0", 0),
    ("#007", 7),
    ("#-0x1f", -31),
    ("#123456789012345678901234567890", 123456789012345678901234567890),
    ("#T01-01-0001", datetime.date(1, 1, 1)),
    ("#T31-12-9999_23:59:59", datetime.datetime(9999, 12, 31, 23, 59, 59)),
    ("#TPAST", TimeMark.PAST),
    ("#TFUTURE", TimeMark.FUTURE),
    ("#I[10.0.44.55]", IPAddr("10.0.44.55")),
    ("#I[::1]:0", IPAddr("::1", 0)),
    ("( a , b )", ["a", "b"]),
    ("( )", []),
    ("((()))", [[[]]]),
    (
        "(#1, #T01-02-2003, [QQ==], #NULL#, #I[1.2.3.4])",
        [1, datetime.date(2003, 2, 1), b"A", None, IPAddr("1.2.3.4")],
    ),
    ("{ a = b ; }", {"a": "b"}),
    ('{"" = ""; "a b" = "c d";}', {"": "", "a b": "c d"}),
    ('{"ab" "cd" = x;}', {"abcd": "x"}),
    ("{a=#1;a=#2;}", {"a": 2}),
    ("{A=x;a=y;}", {"A": "x", "a": "y"}),
    ("{k=(a,{x=#1;});}", {"k": ["a", {"x": 1}]}),
    ("{\n  // a comment\n  k = v; // another\n}\n", {"k": "v"}),
    ("  // leading\n  MyName  // trailing", "MyName"),
    ("<a x='1'>t</a>", XML("<a x='1'>t</a>")),
    ("<a/>", XML("<a/>")),
    ('<a x="&gt;"><a><a/></a><b>text</b></a>', XML('<a x="&gt;"><a><a/></a><b>text</b></a>')),
    ("<a><!-- <b> --><![CDATA[<c>]]></a>", XML("<a><!-- <b> --><![CDATA[<c>]]></a>")),
    ("(<a/>, <b>x</b>)", [XML("<a/>"), XML("<b>x</b>")]),
]

ERROR_VECTORS = [
    ("", 0, "object"),
    ("   ", 3, "object"),
    (")", 0, "object"),
    ("a b", 2, "end of input"),
    ("{a}", 2, "'=' after dictionary key"),
    ("{a=}", 3, "object"),
    ("{a=b;", 5, "dictionary key or '}'"),
    ("{(a)=b;}", 1, "dictionary key or '}'"),
    ("{#1=b;}", 1, "dictionary key or '}'"),
    ("(a", 2, "',' or ')' in array"),
    ("(a b)", 3, "',' or ')' in array"),
    ("(a,)", 3, "object"),
    (r'"a\q"', 2, None),
    (r'"\256"', 1, None),
    ("\"\\u'110000'\"", 1, None),
    ("\"\\u'D800'\"", 1, None),
    ("\"\\u''\"", 1, None),
    ('"a\\', 3, "'\"' closing the string"),
    ("[SGV$]", 4, "base64 or ']'"),
    ("[SGV", 4, "']' closing the datablock"),
    ("[SGV]", 0, "valid base64 data"),
    ("#", 1, None),
    ("#-", 2, "digit after '#-'"),
    ("#x", 1, None),
    ("#0x", 3, "hexadecimal digit"),
    ("#0o8", 3, "octal digit"),
    ("#0b2", 3, "binary digit"),
    ("#0x1fg", 5, "end of number"),
    ("#NULL", 1, None),
    ("#NULL#x", 6, "end of #NULL#"),
    ("#T32-01-2009", 2, "a valid date and time"),
    ("#T29-02-2009", 2, "a valid date and time"),
    ("#T01-01-2009_24:00:00", 2, "a valid date and time"),
    ("#T1-1-2009", 2, None),
    ("#T01-01-2009_", 12, "end of timestamp"),
    ("#TPASTx", 6, "end of timestamp"),
    ("#I10.0.0.1", 2, None),
    ("#I[300.1.1.1]", 3, "an IPv4 or IPv6 address"),
    ("#I[host.example]", 3, "an IPv4 or IPv6 address"),
    ("#I[1.2.3.4]:", 12, None),
    ("#I[1.2.3.4]:65536", 12, None),
    ("#I[1.2.3.4]x", 11, "end of IP address"),
    ("<a>", 3, "'</a>'"),
    ("<a><b></a>", 6, "'</b>'"),
    ("</a>", 0, "an XML element"),
    ("<!-- c -->", 0, "an XML element"),
    ("<a>1 < 2</a>", 5, "an XML tag"),
    ("<a/>x", 4, "end of input"),
    ("{a=b;};", 6, "end of input"),
]


@pytest.mark.parametrize(("text", "expected"), SPEC_VECTORS + GRAMMAR_VECTORS, ids=repr)
def test_reads_vector(text: str, expected: Value) -> None:
    value = loads(text)

    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(("text", "position", "expected"), SPEC_ERROR_VECTORS + ERROR_VECTORS, ids=repr)
def test_refuses_malformed_text_naming_position(text: str, position: int, expected: str | None) -> None:
    with pytest.raises(DataFormatError) as raised:
        loads(text)

    assert raised.value.position == position
    if expected is not None:
        assert raised.value.expected == expected
    assert str(raised.value) == f"at {position}: expected {raised.value.expected}"


def test_error_is_a_value_error_and_survives_pickling() -> None:
    error = DataFormatError(5, "';' after dictionary entry")

    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(error, ValueError)
    assert (copy.position, copy.expected, str(copy)) == (5, "';' after dictionary entry", str(error))


def test_reads_huge_numbers_in_hexadecimal() -> None:
    huge = 7**9000

    assert loads(f"#0x{huge:x}") == huge
    assert loads(f"#-0x{huge:x}") == -huge


def test_refuses_decimal_numbers_beyond_the_conversion_limit() -> None:
    with pytest.raises(DataFormatError) as raised:
        loads("#" + "9" * 5000)

    assert raised.value.position == 0


def test_keeps_number_and_string_apart() -> None:
    assert loads('(#12, "12", 12)') == [12, "12", "12"]


# ---------------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["(" * 10000, "{a=" * 10000, "(" * (MAX_DEPTH + 1) + ")" * (MAX_DEPTH + 1), "<a>" * 10000]
)
def test_refuses_nesting_beyond_the_depth_limit(text: str) -> None:
    with pytest.raises(DataFormatError) as raised:
        loads(text)

    assert "nesting depth" in raised.value.expected


def test_accepts_nesting_up_to_the_depth_limit() -> None:
    assert loads("(" * MAX_DEPTH + ")" * MAX_DEPTH) is not None
    assert loads("{a=" * (MAX_DEPTH - 1) + "{}" + ";}" * (MAX_DEPTH - 1)) is not None


def test_refuses_oversized_input() -> None:
    oversized = '"' + "x" * MAX_SIZE + '"'

    with pytest.raises(DataFormatError) as raised:
        loads(oversized)
    with pytest.raises(DataFormatError):
        parse_object(oversized)
    with pytest.raises(DataFormatError):
        load_settings_file(oversized)

    assert raised.value.position == MAX_SIZE


# ---------------------------------------------------------------------------------------------------
# parse_object / skip_space: how the CLI reads a command line argument by argument
# ---------------------------------------------------------------------------------------------------


def test_parse_object_reads_a_command_line_argument_by_argument() -> None:
    line = "CreateAccount user1@x.test {a=b;} rest"
    arguments = []
    pos = skip_space(line, 0)
    while pos < len(line):
        value, pos = parse_object(line, pos)
        arguments.append(value)
        pos = skip_space(line, pos)

    assert arguments == ["CreateAccount", "user1@x.test", {"a": "b"}, "rest"]


@pytest.mark.parametrize(
    ("line", "start", "value", "end"),
    [
        ("CreateAccount user1@x.test {a=b;} rest", 0, "CreateAccount", 13),
        ("CreateAccount user1@x.test {a=b;} rest", 13, "user1@x.test", 26),
        ("CreateAccount user1@x.test {a=b;} rest", 26, {"a": "b"}, 33),
        ('X "ab" "cd"  next', 1, "abcd", 11),
        ('X "ab"  next', 1, "ab", 6),
        ("X [QQ==] [QQ==] next", 1, b"AA", 15),
        ("X #12 next", 1, 12, 5),
        ("X #12,", 1, 12, 5),
        ("X (a,b);", 1, ["a", "b"], 7),
        ("X <a>t</a> next", 1, XML("<a>t</a>"), 10),
    ],
)
def test_parse_object_returns_the_offset_just_after_the_object(
    line: str, start: int, value: Value, end: int
) -> None:
    assert parse_object(line, start) == (value, end)


def test_parse_object_reports_a_missing_argument_at_the_end() -> None:
    with pytest.raises(DataFormatError) as raised:
        parse_object("GetAccountSettings   ", 18)

    assert raised.value.position == 21


@pytest.mark.parametrize(
    ("text", "pos", "end"),
    [("a  b", 1, 3), ("a // note\n  b", 1, 12), ("a // note", 1, 9), ("ab", 0, 0), ("a", 5, 1)],
)
def test_skip_space_skips_white_space_and_comments(text: str, pos: int, end: int) -> None:
    assert skip_space(text, pos) == end


# ---------------------------------------------------------------------------------------------------
# Writer: exact output
# ---------------------------------------------------------------------------------------------------

WRITER_VECTORS = [
    ("MyName", "MyName"),
    ("abc123", "abc123"),
    ("", '""'),
    ("My Name", '"My Name"'),
    ("a.b", '"a.b"'),
    ("user@x.test", '"user@x.test"'),
    ("-1", '"-1"'),
    ('a "quoted" word', r'"a \"quoted\" word"'),
    ("one \\ backslash", r'"one \\ backslash"'),
    ("Line1\nLine2", r'"Line1\eLine2"'),
    ("a\rb", r'"a\rb"'),
    ("tab\there", r'"tab\there"'),
    ("\x00\x01\x0c\x1f\x7f", r'"\000\001\012\031\127"'),
    ("Привет", '"Привет"'),
    ("é\x85\u2028😀", '"é\x85\u2028😀"'),
    (0, "#0"),
    (-12, "#-12"),
    (123456789012345678901234567890, "#123456789012345678901234567890"),
    (b"Hello", "[SGVsbG8=]"),
    (b"", "[]"),
    (bytearray(b"A"), "[QQ==]"),
    (datetime.date(2009, 10, 22), "#T22-10-2009"),
    (datetime.date(5, 1, 2), "#T02-01-0005"),
    (datetime.datetime(2009, 10, 22, 15, 24, 45), "#T22-10-2009_15:24:45"),
    (datetime.datetime(2009, 10, 22, 15, 24, 45, 999999), "#T22-10-2009_15:24:45"),
    (
        datetime.datetime(2009, 10, 22, 17, 24, 45, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        "#T22-10-2009_15:24:45",
    ),
    (TimeMark.PAST, "#TPAST"),
    (TimeMark.FUTURE, "#TFUTURE"),
    (IPAddr("10.0.44.55", 25), "#I[10.0.44.55]:25"),
    (IPAddr("2001:470:1f01:2565::a:80f"), "#I[2001:470:1f01:2565::a:80f]"),
    (None, "#NULL#"),
    (XML("<a x='1'>t</a>"), "<a x='1'>t</a>"),
    ([], "()"),
    ((), "()"),
    ({}, "{}"),
    (["a", "b c", ["d", "e"], {"k": "v"}], '(a,"b c",(d,e),{k=v;})'),
    (("a", 1), "(a,#1)"),
    ({"a": "b", "c": [1, 2]}, "{a=b;c=(#1,#2);}"),
    ({"b": 1, "B": 2, "a": 3, "$Key2": {}, "A": 4}, '{"$Key2"={};A=#4;a=#3;B=#2;b=#1;}'),
    ({"a b": "", "": "x"}, '{""=x;"a b"="";}'),
]


@pytest.mark.parametrize(("value", "text"), WRITER_VECTORS, ids=repr)
def test_writes_vector(value: Value, text: str) -> None:
    assert dumps(value) == text


def test_writes_huge_numbers_in_hexadecimal_and_reads_them_back() -> None:
    huge = 7**9000

    assert dumps(huge) == f"#0x{huge:x}"
    assert dumps(-huge) == f"#-0x{huge:x}"
    assert loads(dumps(-huge)) == -huge


def test_writes_the_pretty_settings_form() -> None:
    settings: dict[str, Value] = {
        "RealName": "John Smith",
        "AccessModes": ["Mail", "POP", {"k": "v"}],
        "FailedLoginFlow": [10, "1m"],
        "Prefs": {"Language": "English", "Empty": {}, "Inner": {"x": "y"}},
        "a": "",
    }

    assert dumps_pretty(settings) == (
        "{\n"
        '  a = "";\n'
        "  AccessModes = (Mail, POP, {k=v;});\n"
        "  FailedLoginFlow = (#10, 1m);\n"
        "  Prefs = {\n"
        "    Empty = {};\n"
        "    Inner = {\n"
        "      x = y;\n"
        "    };\n"
        "    Language = English;\n"
        "  };\n"
        '  RealName = "John Smith";\n'
        "}"
    )


@pytest.mark.parametrize(("value", "text"), [({}, "{}"), ("a b", '"a b"'), (["a", ("b", 1)], "(a, (b, #1))")])
def test_writes_non_dictionaries_pretty_on_one_line(value: Value, text: str) -> None:
    assert dumps_pretty(value) == text


@pytest.mark.parametrize(
    "value",
    [True, False, 1.5, 1j, {"a"}, {1: "a"}, {b"k": "a"}, [True], {"k": {1.0}}, IPAddr("::1", True)],  # type: ignore[list-item]
    ids=repr,
)
def test_refuses_to_write_what_the_format_cannot_hold(value: object) -> None:
    with pytest.raises(TypeError):
        dumps(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        IPAddr("host.example"),
        IPAddr("10.0.0.1", 70000),
        IPAddr("10.0.0.1", -1),
        XML("text"),
        XML("<a>"),
        XML("<a/><b/>"),
    ],
    ids=repr,
)
def test_refuses_to_write_values_that_would_not_read_back(value: Value) -> None:
    with pytest.raises(ValueError):
        dumps(value)


def test_refuses_to_write_nesting_beyond_the_depth_limit() -> None:
    deep: list[Value] = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    cyclic: list[Value] = []
    cyclic.append(cyclic)

    with pytest.raises(ValueError):
        dumps(deep)
    with pytest.raises(ValueError):
        dumps_pretty({"k": deep})
    with pytest.raises(ValueError):
        dumps(cyclic)
    assert loads(dumps(deep[0])) == deep[0]


# ---------------------------------------------------------------------------------------------------
# Settings files
# ---------------------------------------------------------------------------------------------------


def test_reads_a_settings_file_with_comments() -> None:
    text = (
        "// generated by cgadmin: edits are overwritten\n"
        "// second comment line\r\n"
        "{\r\n"
        "  // the account's name\n"
        '  RealName = "John Smith";\n'
        "  MaxAccountSize = 100M; // a size atom\n"
        "  Created = #T22-10-2009_15:24:45;\n"
        "}\n"
        "// trailing comment\n"
    )

    assert load_settings_file(text) == {
        "RealName": "John Smith",
        "MaxAccountSize": "100M",
        "Created": datetime.datetime(2009, 10, 22, 15, 24, 45),
    }


def test_reads_a_settings_file_with_a_byte_order_mark() -> None:
    assert load_settings_file("\ufeff{a=b;}") == {"a": "b"}


@pytest.mark.parametrize(
    ("text", "position"),
    [("", 0), ("// only a comment\n", 18), ("(a, b)", 0), ("MyName", 0), ("{a=b;} x", 7), ("{a=b}", 4)],
)
def test_refuses_a_settings_file_that_is_not_one_dictionary(text: str, position: int) -> None:
    with pytest.raises(DataFormatError) as raised:
        load_settings_file(text)

    assert raised.value.position == position


def test_dump_settings_file_starts_with_the_header_and_reads_back() -> None:
    settings: dict[str, Value] = {"RealName": 'John "J" Smith', "Prefs": {"Flow": [10, "1m"]}, "N": 5}

    text = dump_settings_file(settings)

    assert text.startswith("// generated by cgadmin: edits are overwritten\n{\n")
    assert text.endswith("}\n")
    assert load_settings_file(text) == settings


def test_dump_settings_file_writes_each_header_line_as_a_comment() -> None:
    text = dump_settings_file({"a": "b"}, header="line one\nline two")

    assert text == "// line one\n// line two\n{\n  a = b;\n}\n"
    assert load_settings_file(text) == {"a": "b"}


# ---------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------

TRICKY_CHARACTERS = st.sampled_from('"\\\n\r\t\x00\x1f\x7f\x85\u2028/{}()[]<>#=;, \ufeffé😀')
strings = st.text(st.one_of(st.characters(), TRICKY_CHARACTERS))
huge_ints = st.tuples(st.integers(0, 20000), st.integers(-1000, 1000), st.sampled_from([1, -1])).map(
    lambda parts: parts[2] * ((1 << parts[0]) + parts[1])
)
ip_addresses = st.builds(
    IPAddr,
    st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str),
    st.none() | st.integers(0, 65535),
)
xml_names = st.sampled_from(["a", "b", "ns:c"])
xml_texts = st.text(st.characters(exclude_characters="<&"), max_size=5)
xml_elements = st.recursive(
    st.builds(lambda name: f"<{name}/>", xml_names)
    | st.builds(lambda n, t: f"<{n}>{t}</{n}>", xml_names, xml_texts),
    lambda children: st.builds(
        lambda name, inner: f"<{name} x='1'>{''.join(inner)}</{name}>",
        xml_names,
        st.lists(children, max_size=3),
    ),
    max_leaves=6,
).map(XML)
scalars = st.one_of(
    strings,
    st.integers(),
    huge_ints,
    st.binary(),
    st.dates(),
    st.datetimes().map(lambda moment: moment.replace(microsecond=0)),
    ip_addresses,
    st.none(),
    st.sampled_from(TimeMark),
    xml_elements,
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(strings, children, max_size=4),
    max_leaves=20,
)

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(values)
def test_round_trips_through_the_compact_form(value: Value) -> None:
    text = dumps(value)

    assert loads(text) == value
    assert "\n" not in text or _holds_xml(value)  # XML is kept verbatim, line breaks and all


def _holds_xml(value: Value) -> bool:
    if isinstance(value, dict):
        return any(_holds_xml(element) for element in value.values())
    if isinstance(value, list):
        return any(_holds_xml(element) for element in value)
    return isinstance(value, XML)


@PROPERTY_SETTINGS
@given(values)
def test_round_trips_through_the_pretty_form(value: Value) -> None:
    assert loads(dumps_pretty(value)) == value


@PROPERTY_SETTINGS
@given(st.dictionaries(strings, values, max_size=6))
def test_round_trips_through_a_settings_file(settings_value: dict[str, Value]) -> None:
    assert load_settings_file(dump_settings_file(settings_value)) == settings_value


@PROPERTY_SETTINGS
@given(values)
def test_round_trip_keeps_types(value: Value) -> None:
    def shape(item: object) -> object:
        if isinstance(item, dict):
            return {key: shape(element) for key, element in item.items()}
        if isinstance(item, list):
            return [shape(element) for element in item]
        return type(item)

    assert shape(loads(dumps(value))) == shape(value)


@PROPERTY_SETTINGS
@given(values)
def test_parse_object_stops_right_after_the_object(value: Value) -> None:
    line = f"Cmd {dumps(value)} tail"

    parsed, end = parse_object(line, 3)

    assert parsed == value
    assert line[end:] == " tail"


def _loads_returns_or_refuses(text: str) -> None:
    try:
        loads(text)
    except DataFormatError as error:
        assert 0 <= error.position <= len(text)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_arbitrary_text_reads_or_raises_data_format_error(text: str) -> None:
    _loads_returns_or_refuses(text)


@settings(max_examples=500, deadline=None)
@given(st.binary().map(lambda raw: raw.decode("utf-8", errors="replace")))
def test_arbitrary_bytes_read_or_raise_data_format_error(text: str) -> None:
    _loads_returns_or_refuses(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from(list("{}()[]<>/#\"\\=;,: \n_-.aZ09xobTIPASTNUL'!?"))))
def test_grammar_shaped_noise_reads_or_raises_data_format_error(text: str) -> None:
    _loads_returns_or_refuses(text)
