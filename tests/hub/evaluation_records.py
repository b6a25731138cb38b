"""Hand-made records of ``auglift evaluate``'s ``evaluation.json`` for the decision-script tests (``mixture_table``,
``depth_mixture_table``): a three-seed cell and a paired-interval comparison."""


def three_seed_cell(model: str, table: str, mean: float) -> dict:
    """A cell of ``model`` on ``table``: MPJPE ``mean`` mm over 3 seeds (std 0.5), PA-MPJPE 0.7 of it."""
    seeds = {"mean": mean, "std": 0.5, "seeds": 3}
    return {"model": model, "table": table, "mpjpe": mean, "pa_mpjpe": 0.7 * mean, "mpjpe_seeds": seeds,
            "pa_mpjpe_seeds": {**seeds, "mean": 0.7 * mean}}  # fmt: skip


def paired_interval(d: float, half: float) -> dict:
    """A comparison's MPJPE record: difference ``d`` mm with the interval ``d +- half``, relative to 100 mm."""
    low, high = d - half, d + half
    return {"difference": d, "relative": d / 100, "low": low, "high": high, "significant": low > 0 or high < 0}
