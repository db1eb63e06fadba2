"""Build the offline spaCy pipeline Rasa's SpacyNLP loads: blank `zh` + jieba + a region EntityRuler.

    python -m bot.nlp.build_spacy build/spacy_zh [--force]

No model is downloaded. The output directory holds a digest of its inputs (gazetteer, jieba
dictionaries, this code, spaCy and jieba versions); an up-to-date output is left alone.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import jieba

from bot.nlp.regions import GAZETTEER_PATH, ROOT, Gazetteer, load_gazetteer

if TYPE_CHECKING:  # spaCy is imported lazily: it pulls in TensorFlow, and the up-to-date check needn't
    from spacy.language import Language

JIEBA_DIR = ROOT / "data" / "jieba"
DIGEST_FILE = "inputs.sha256"
REGION_LABEL = "region"
ZH_CONFIG = {"nlp": {"tokenizer": {"segmenter": "jieba"}}}
_CODE = [Path(__file__), Path(__file__).with_name("regions.py")]

jieba.setLogLevel(logging.WARNING)


def input_files(jieba_dir: Path = JIEBA_DIR, gazetteer: Path = GAZETTEER_PATH) -> list[Path]:
    return [gazetteer, *sorted(p for p in jieba_dir.glob("*") if p.is_file()), *_CODE]


def inputs_digest(files: list[Path]) -> str:
    digest = hashlib.sha256(f"spacy={version('spacy')} jieba={version('jieba')}".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_up_to_date(output_dir: Path, digest: str) -> bool:
    marker = output_dir / DIGEST_FILE
    return (output_dir / "config.cfg").exists() and marker.exists() and marker.read_text().strip() == digest


def load_jieba_dictionaries(jieba_dir: Path = JIEBA_DIR) -> None:
    """Load every user dictionary into the global jieba, which spaCy's zh tokenizer calls.
    Same files, same order as Rasa's JiebaTokenizer (dictionary_path: data/jieba)."""
    for path in sorted(p for p in jieba_dir.glob("*") if p.is_file()):
        jieba.load_userdict(str(path))


def _segmentations(form: str, nlp: Language, plain: jieba.Tokenizer) -> list[list[str]]:
    """How a region name is cut with the user dictionaries and with jieba's stock dictionary.
    Both become patterns, so entities are found even where the user dictionaries were not
    loaded first (spacy.load alone)."""
    with_dict = [token.text for token in nlp.make_doc(form)]
    stock = [word for word in plain.cut(form, HMM=True) if word]
    return [with_dict] if stock == with_dict else [with_dict, stock]


def region_patterns(nlp: Language, gazetteer: Gazetteer) -> list[dict]:
    """Token (ORTH) patterns per name and alias; `id` is the canonical name of the region."""
    plain = jieba.Tokenizer()
    patterns: list[dict] = []
    seen: set[tuple[str, ...]] = set()
    for region in gazetteer.regions:
        for form in region.surface_forms:
            for words in _segmentations(form, nlp, plain):
                if tuple(words) not in seen:
                    seen.add(tuple(words))
                    patterns.append({"label": REGION_LABEL, "id": region.name,
                                     "pattern": [{"ORTH": word} for word in words]})
    return patterns


def build_pipeline(gazetteer: Gazetteer | None = None, jieba_dir: Path = JIEBA_DIR) -> Language:
    import spacy

    load_jieba_dictionaries(jieba_dir)
    nlp = spacy.blank("zh", config=ZH_CONFIG)
    nlp.meta.update(name="yibao_zh_regions", version="1.0.0",
                    description="Blank zh + jieba segmenter + region EntityRuler (data/regions)")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    ruler.add_patterns(region_patterns(nlp, gazetteer or load_gazetteer()))
    return nlp


def save_pipeline(nlp: Language, output_dir: Path, digest: str) -> None:
    """Write to a sibling directory first so a failed build never leaves a half-written model."""
    staging = output_dir.with_name(output_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    nlp.to_disk(staging)
    (staging / DIGEST_FILE).write_text(digest + "\n")
    shutil.rmtree(output_dir, ignore_errors=True)
    staging.rename(output_dir)


def build(output_dir: Path, force: bool = False) -> bool:
    """Build into output_dir unless it is current. Returns True when it (re)built."""
    digest = inputs_digest(input_files())
    if not force and is_up_to_date(output_dir, digest):
        return False
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    save_pipeline(build_pipeline(), output_dir, digest)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline spaCy zh pipeline.")
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    built = build(args.output_dir, force=args.force)
    print(f"{'built' if built else 'up to date'}: {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
