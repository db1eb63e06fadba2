"""Trains the Rasa model only when its inputs changed.

The model file is named after a hash of everything training reads (config, domain, training
data, jieba dictionaries, region gazetteer, spaCy builder), so `make chat`, `make test` and the
test session share one trained model and retrain only after an edit.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
SPACY_DIR = ROOT / "build" / "spacy_zh"
TRAINING_INPUTS = ["config.yml", "domain.yml", "data/nlu", "data/rules.yml", "data/stories",
                   "data/jieba", "data/lexicon", "data/regions", "bot/nlp"]


def _files(relative: str) -> list[Path]:
    path = ROOT / relative
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [path] if path.exists() else []


def training_hash() -> str:
    digest = hashlib.sha256()
    for relative in TRAINING_INPUTS:
        for path in _files(relative):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"model-{training_hash()}.tar.gz"


def rasa_env() -> dict[str, str]:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def build_spacy() -> None:
    subprocess.run([sys.executable, "-m", "bot.nlp.build_spacy", str(SPACY_DIR)], cwd=ROOT, check=True)


def ensure_model() -> Path:
    """Returns the trained model for the current inputs, training it if needed."""
    build_spacy()
    target = model_path()
    if target.exists():
        return target
    MODELS.mkdir(exist_ok=True)
    rasa = Path(sys.executable).with_name("rasa")
    subprocess.run([str(rasa), "train", "--fixed-model-name", target.name.removesuffix(".tar.gz"),
                    "--out", str(MODELS), "--force"], cwd=ROOT, env=rasa_env(), check=True)
    for old in MODELS.glob("model-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


if __name__ == "__main__":
    print(ensure_model())
