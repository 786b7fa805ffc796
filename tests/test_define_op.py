"""define_op: user ops are built like the table's, and gradcheck judges them."""

import pytest
from hypothesis import given, settings

from engine import OPS, GradcheckError, Value, define_op, gradcheck
from engine.testing import graphs


def test_a_custom_unary_op_runs_forward_and_backward():
    softplus = define_op("softplus", "log(1.0 + exp(a))", ["sigmoid(a)"], symbol="softplus")
    x = Value(0.3, "x")
    y = softplus(x)
    assert y.op is softplus and y.parents == (x,)
    assert gradcheck(lambda v: softplus(v[0] * 2.0), [0.3]).ok
    assert "softplus" in softplus.text


def test_a_custom_binary_op_with_a_number_operand():
    hypot2 = define_op("hypot2", "a * a + b * b", ["2.0 * a", "2.0 * b"])
    y = hypot2(Value(3.0), 4)
    assert y.data == 25.0
    assert gradcheck(lambda v: hypot2(v[0], v[1]), [1.5, -0.5]).ok


def test_gradcheck_catches_a_wrong_hand_written_derivative():
    cube = define_op("cube_wrong", "a ** 3", ["2.0 * a ** 2"])  # should be 3 a^2
    with pytest.raises(GradcheckError, match="FAIL"):
        gradcheck(lambda v: cube(v[0]), [1.5])


def test_custom_domain_is_enforced_with_its_hint():
    root = define_op(
        "root", "a ** 0.5", ["0.5 / out"], domain="a > 0.0", hint="root needs a positive input"
    )
    with pytest.raises(ValueError, match="root needs a positive input"):
        root(Value(-1.0))


def test_registered_ops_are_covered_by_the_graph_strategy():
    define_op("square_reg", "a * a", ["2.0 * a"], register=True)
    try:

        @settings(max_examples=20)
        @given(graphs(max_nodes=5, require="square_reg"))
        def check(g):
            assert "square_reg" in g.ops
            gradcheck(g.build, g.inputs)

        check()
        with pytest.raises(ValueError, match="exists already"):
            define_op("square_reg", "a", ["1.0"], register=True)
    finally:
        del OPS["square_reg"]


@pytest.mark.parametrize(
    "args, words",
    [
        (("not a name", "a", ["1.0"]), "identifier"),
        (("f", "a +", ["1.0"]), "forward is not a Python expression"),
        (("f", "a", []), "1 or 2"),
        (("f", "a", ["1.0", "1.0", "1.0"]), "1 or 2"),
        (("f", "a", ["1.0 +"]), "derivs"),
    ],
)
def test_define_op_rejects_bad_definitions(args, words):
    with pytest.raises(ValueError, match=words):
        define_op(*args)
