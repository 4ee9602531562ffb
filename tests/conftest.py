import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``python -m sim ...`` as a user would, capturing output."""
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def cli():
    return run_cli


def assert_real_figure(path: Path, min_width: int = 300, min_height: int = 200, min_ink: float = 0.01) -> None:
    """Fail unless ``path`` is a PNG of at least the given size with something drawn on it.

    File size says little (an empty canvas with a title compresses to kilobytes); the
    image's dimensions and the share of pixels that differ from the background do.
    """
    from matplotlib.image import imread
    import numpy as np

    img = imread(str(path))
    assert img.ndim == 3, f"{path.name}: not an RGB(A) image"
    height, width = img.shape[:2]
    assert width >= min_width and height >= min_height, f"{path.name}: {width}x{height} is too small"
    background = img[0, 0, :3]
    ink = np.any(np.abs(img[..., :3] - background) > 0.05, axis=-1).mean()
    assert ink >= min_ink, f"{path.name}: only {ink:.1%} of the pixels are drawn"
    assert len(np.unique(img[..., :3].reshape(-1, 3), axis=0)) >= 8, f"{path.name}: too few colours"


def load_script(path: Path, name: str):
    """Import an experiment script (not a package module) by its path, to call its functions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
