"""``krtheory solve``: the implicit-bias prediction argmin Q s.t. X beta = y, or a reference."""

from __future__ import annotations

from krtheory.solve.predict import BACKENDS
from krtheory.cli.common import add_model_options, load_problem, model_parameters, resolve_family
from krtheory.errors import InvalidArgument
from krtheory.cli.output import add_json_option, emit, plain, table
from krtheory.families.registry import FAMILIES
from krtheory.precision import to_decimal
from krtheory._validation import check_depth
from krtheory.cli.options import add_dps_option
from krtheory.cli.progress import add_progress_option, progress


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "solve", help="argmin of the implicit regularizer s.t. X beta = y (or an l1/l2 reference)",
        description="Solve the KKT system X a h(b X^T lam) = y of the derived regularizer by "
                    "damped Newton at any precision, and verify the digits by re-solving at "
                    "higher precision. --family l1/l2 give the reference interpolators.")
    add_model_options(parser, "solve")
    add_dps_option(parser, default=50, maximum=3000)  # measured: 5 s at 3000 digits, 10000 fails after 24 s
    parser.add_argument("--backend", choices=BACKENDS, default="auto",
                        help="auto (flint when python-flint is installed, else mpmath), mpmath "
                             "(digits verified by re-solving), flint (arb + Krawczyk certificate), "
                             "numpy (float64 fast path, falls back to mpmath outside double's range)")
    parser.add_argument("--certify", action="store_true",
                        help="require a certificate (flint): JSON gains 'radius', a rigorous bound "
                             "on max |beta_i - beta*_i|")
    parser.add_argument("--potential", metavar="EXPR",
                        help="custom: the argmin of sum_i EXPR(beta_i) instead of the derived regularizer, "
                             "a conjectured potential in z and the --init names (each coordinate's "
                             'initial values), e.g. "z*asinh(2*z/(u*u - v*v)) - sqrt(4*z**2 + (u*u - v*v)**2)/2"')
    add_json_option(parser)
    add_progress_option(parser)
    parser.set_defaults(run=run)


#: Options each family does not take (refused, never silently ignored); wide's and diagonal's
#: are refused by cli.common when the model is built.
NOT_TAKEN = {"l1": ("depth", "alpha", "shape", "U0", "V0", "certify"),
             "l2": ("depth", "alpha", "shape", "U0", "V0", "certify"),
             "explicit": ("depth",)}


def run(args) -> int:
    from krtheory.cli import matrix

    resolve_family(args)
    if args.potential is not None and args.family != "custom":
        raise InvalidArgument(f"--potential goes with --parametrization (--family custom), not --family {args.family}")
    if matrix.takes_matrices(args):
        return matrix.run_solve(args)
    given = [f"--{name}" for name in NOT_TAKEN.get(args.family, ()) if getattr(args, name) not in (None, False)]
    if given:
        raise InvalidArgument(f"--family {args.family} does not take {', '.join(given)}")
    if args.certify and args.backend in ("mpmath", "numpy"):
        raise InvalidArgument(f"--certify needs the flint backend, not --backend {args.backend}")
    read, family = "read X, y", FAMILIES[args.family]
    for stage in progress((read, f"solve --family {args.family}"), desc="solve", enabled=args.progress):
        if stage == read:
            problem = load_problem(args)
        else:
            record = _reference(problem, family, args.dps) if family.is_reference else _linked(problem, family, args)
    rows = [[str(i), b] for i, b in enumerate(record["beta"], start=1)]
    details = "\n".join(f"{k:<12} {plain(v)}" for k, v in record.items() if k not in ("beta", "problem"))
    emit(args, record, f"problem      {problem.name} (n={problem.n}, d={problem.d})\n"
                       f"{table(['i', 'beta_i'], rows)}\n{details}")
    return 0 if record.get("status", "ok") != "failed" else 2


def _linked(problem, family, args) -> dict:
    """argmin of the family's regularizer: diagonal Q_{alpha,w0} (Theorems 1 and 3), explicit
    R_{alpha,w0} (eqs. 8-9) or wide sum_i q_{A_i,B_i}(beta_i) of U0, V0 (§6, Theorem 4)."""
    parameters = model_parameters(args, problem.d)
    if family.name == "custom":
        return _custom(problem, parameters, args)
    link = family.link(problem.d, **parameters)
    result = _predict(problem, link, args)
    if "U0" in parameters:
        described = {"width": len(parameters["U0"][0]), "U0": args.U0, "V0": args.V0,
                     "A": [a for a, _ in link.values], "B": [b for _, b in link.values]}
    else:
        shape = parameters["shape"]
        described = {"depth": check_depth(parameters["depth"]), "alpha": parameters["alpha"],
                     "shape": None if shape is None else list(shape)}
    return {"family": family.name, **described, "problem": problem.name, **_solved(result)}


def _custom(problem, parameters, args) -> dict:
    """The derived link's argmin of a user parametrization (:mod:`krtheory.families.custom_models`),
    or with --potential the argmin of the conjectured potential
    (:mod:`krtheory.families.custom_potential`, digits verified by re-solving)."""
    from krtheory.families.custom_models import custom_link, initial_columns

    described = {"family": "custom", "parametrization": args.parametrization, "init": args.init,
                 "problem": problem.name}
    if args.potential is None:
        link, derivation = custom_link(parameters["parametrization"], parameters["init"], problem.d)
        return {**described, "derivation_verified": derivation.verified(), **_solved(_predict(problem, link, args))}
    if args.certify or args.backend not in ("auto", "mpmath"):
        raise InvalidArgument("--potential is solved by mpmath Newton (digits verified by re-solving); it "
                              "takes neither --certify nor --backend flint/numpy")
    from krtheory.families.custom_potential import potential_argmin
    from krtheory.precision import context

    result = potential_argmin(args.potential, initial_columns(parameters["init"]), problem, dps=args.dps)
    ctx = context(result.dps)
    return {**described, "potential": args.potential,
            "beta": [to_decimal(ctx, b, max(result.digits, 1)) for b in result.beta],
            "residual": to_decimal(ctx, result.residual, 6), "kkt_residual": to_decimal(ctx, result.kkt_residual, 6),
            "digits": result.digits, "backend": "mpmath (KKT of the potential)", "certified": False,
            "dps": result.dps}


def _predict(problem, link, args):
    from krtheory.solve.predict import predict

    result = predict(problem, link, dps=args.dps, backend=args.backend)
    if args.certify and not result.certified:
        raise InvalidArgument(f"no certificate: {result.detail.get('message') or result.backend}")
    return result


#: Significant digits printed for the float64 backend, whose accuracy is estimated, not verified.
FLOAT_DIGITS = 16


def _solved(result) -> dict:
    from krtheory.precision import context

    ctx = context(result.dps)
    shown = result.digits if result.digits is not None else FLOAT_DIGITS
    record = {"beta": [to_decimal(ctx, b, max(shown, 1)) for b in result.beta],
              "residual": result.residual, "digits": result.digits, "backend": result.backend,
              "certified": result.certified, "dps": result.dps}
    if result.radius is not None:
        record["radius"] = result.radius
    record.update({k: v for k, v in result.detail.items() if k != "lam"})
    return record


def _reference(problem, family, dps) -> dict:
    """The family's min-norm interpolator (l1: the rich limit, l2: the kernel limit)."""
    from krtheory.references import L1Result

    result = family.reference(problem, dps=dps)
    record = _l1(result, dps) if isinstance(result, L1Result) else _l2(result, dps)
    return {"family": family.name, "problem": problem.name, **record}


def _l2(result, dps) -> dict:
    ctx = result.beta[0].context
    return {"beta": [to_decimal(ctx, b, max(result.digits, 1)) for b in result.beta],
            "residual": to_decimal(ctx, result.residual, 6), "digits": result.digits,
            "rank": result.rank,
            "dps": dps}


def _l1(result, dps) -> dict:
    ctx = result.beta[0].context
    shown = dps if result.digits is None else max(result.digits, 1)
    record = {"beta": [to_decimal(ctx, b, shown) for b in result.beta],
              "residual": to_decimal(ctx, result.residual, 6), "digits": result.digits,
              "support": [i + 1 for i in result.support], "status": result.status, "dps": dps}
    if result.max_off_support is not None:
        record["certificate_max_off_support"] = to_decimal(ctx, result.max_off_support, 6)
    if not result.certified:
        record["reason"] = result.reason
    return record
