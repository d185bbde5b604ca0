"""precision.to_decimal never drops a mantissa: every output parses back (as an exact Decimal) to
within half a unit in the last claimed digit of the input, at any exponent."""

from decimal import Decimal

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from krtheory.precision import context, to_decimal


@settings(max_examples=300, deadline=None)
@given(mantissa=st.builds(lambda sign, magnitude: sign * magnitude, st.sampled_from([1, -1]),
                          st.integers(min_value=1, max_value=10 ** 40)),
       exponent=st.integers(min_value=-10 ** 6, max_value=10 ** 6), digits=st.integers(1, 30))
def test_parses_back_within_the_claimed_digits(mantissa, exponent, digits):
    ctx = context(60)
    x = ctx.mpf(mantissa) * ctx.mpf(10) ** exponent
    text = to_decimal(ctx, x, digits)
    assert not text.startswith((".", "-.")) and ".e" not in text
    parsed = Decimal(text)
    # independent check at 80 digits: |parsed - x| <= 0.5 * 10^(e10(x) - digits + 1)
    check = mpmath.MPContext()
    check.dps = 80
    value = check.mpf(mantissa) * check.mpf(10) ** exponent
    lead = int(check.floor(check.log10(abs(value))))
    error = abs(check.mpf(str(parsed)) - value)
    assert error <= check.mpf(10) ** (lead - digits + 1) * (check.mpf(1) / 2 + check.mpf(10) ** -20)


@pytest.mark.parametrize("digits", [0, -1, 1.5])
def test_no_digits_is_refused(digits):
    with pytest.raises(ValueError):
        to_decimal(context(30), mpmath.mpf(3), digits)


def test_one_digit_has_a_mantissa():
    ctx = context(30)
    assert to_decimal(ctx, ctx.mpf("1.9428737e15"), 1) == "2e+15"
    assert Decimal(to_decimal(ctx, ctx.mpf("3.885747e20"), 1)) == Decimal("4e20")
