"""The optional dependencies of the evaluation and the benchmarks (extras of the
package, never needed to serve): a command that lacks them says, on one line, which
extra to install instead of failing with a traceback."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from practice_search.errors import PracticeSearchError

__all__ = ["EVAL_MODULES", "MissingExtra", "require"]

# what the labelled-set evaluation imports: ranx (metrics), scipy (paired t-test),
# matplotlib (report.png)
EVAL_MODULES = ("ranx", "scipy", "matplotlib")


class MissingExtra(PracticeSearchError):
    """An optional dependency a command needs is not installed."""


def require(extra: str, modules: Sequence[str], what: str) -> None:
    """Import each of ``modules``.

    Raises:
        MissingExtra: one of them is not installed; the message names the extra.
    """
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing = exc.name or name  # what failed: the module or one it needs
            raise MissingExtra(
                f"{what} needs the '{extra}' extra ({missing} is not installed): "
                f"pip install 'practice-search[{extra}]' "
                f"(in a checkout: pip install -e '.[{extra}]')"
            ) from None
