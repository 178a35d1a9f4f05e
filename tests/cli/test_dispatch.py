"""One command line in, one answer out: the codes and one-line answers every transport shares."""

import pytest

from cgadmin.dataformat import XML, loads
from cli.dispatch import Answer, data_answer, execute, flatten_xml

pytestmark = pytest.mark.django_db


def test_an_unknown_verb_answers_500_unknown_command():
    assert execute("FlyToTheMoon now", actor=None).line() == "500 unknown command"
    assert execute("", actor=None).line() == "500 unknown command"


def test_verbs_and_data_in_any_case_answer_inline():
    assert execute("noop", actor=None).line() == "200 OK"
    assert execute('echo {b="x y";a=#12;}', actor=None).line() == '201 {a=#12;b="x y";}'


def test_commands_need_a_login_except_noop():
    assert execute("ECHO x", actor=None, logged_in=False).code == 510
    assert execute("NOOP", actor=None, logged_in=False).code == 200


def test_wrong_arguments_answer_500_naming_the_problem():
    answer = execute("ECHO {a=b}", actor=None)

    assert answer.code == 500
    assert answer.text.startswith("ECHO: bad data at 9: expected")


def test_data_answers_without_inline_follow_on_the_next_line():
    assert Answer(201, data="(a)").lines(inline=False) == ["200 data follow", "(a)"]
    assert Answer(200).lines(inline=False) == ["200 OK"]


def test_xml_with_line_breaks_is_sent_on_one_line_and_reads_back():
    xml = '<a x="1\n2"\n y=\'3\'>line one\r\nline two<b/></a>'

    answer = data_answer({"k": [XML(xml)]})

    assert "\n" not in answer.data and "\r" not in answer.data
    assert loads(answer.data) == {"k": [XML('<a x="1&#10;2"  y=\'3\'>line one&#13;&#10;line two<b/></a>')]}


@pytest.mark.parametrize("xml", ["<a><!-- two\nlines --></a>", "<a><![CDATA[x\ny]]></a>"])
def test_xml_that_cannot_be_flattened_is_refused(xml):
    assert flatten_xml(xml) is None
    assert data_answer(XML(xml)).code == 501


def test_error_messages_are_one_line():
    from cli.dispatch import error

    assert error(501, "a\r\nb\nc").line() == "501 a b c"
