"""Public hypothesis strategies for problems, scales and shapes (``pip install krtheory[test]``).

Point them at your own claims::

    from hypothesis import given
    from krtheory.testing import problems, alphas

    @given(problems(max_n=3, max_d=6), alphas(min_value="0.1", max_value="10"))
    def test_my_claim(problem, alpha): ...
"""

from krtheory.testing.strategies import alphas, problems, shapes

__all__ = ["alphas", "problems", "shapes"]
