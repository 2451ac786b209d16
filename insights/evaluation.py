"""Evaluation of grouping and assignment on a labelled file, exactly as the product groups
notes, without touching the database (the contract's ``themes evaluate``)."""

from __future__ import annotations

import csv
import json
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from insights import classifier, clustering, nlp
from voc.errors import DomainError
from voc.notes.language import detect_language


def read_labelled(path: Path, *, text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    """Texts and labels from a CSV (with a header) or a JSON-lines file."""
    if not path.is_file():
        raise DomainError(f"No such file: {path}")
    texts, labels = [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = (
            (json.loads(line) for line in handle if line.strip()) if path.suffix == ".jsonl" else csv.DictReader(handle)
        )
        for number, row in enumerate(rows, start=2):
            if text_col not in row or label_col not in row:
                raise DomainError(f"Row {number} has no {text_col!r} or {label_col!r} column.")
            if str(row[text_col]).strip():
                texts.append(str(row[text_col]))
                labels.append(str(row[label_col]))
    if len(texts) < 2:
        raise DomainError(f"{path} has fewer than two labelled texts.")
    return texts, labels


def _embed(texts: list[str], encoder_name: str) -> tuple[np.ndarray, list[list[str]], list[str]]:
    languages = [detect_language(t) for t in texts]
    analyses = nlp.analyse(texts, languages=languages, encoder_name=encoder_name)
    return np.stack([a.vector for a in analyses]), [a.lemmas for a in analyses], languages


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def evaluate_grouping(texts: list[str], labels: list[str], *, k: int | None, encoder_name: str) -> dict[str, Any]:
    nlp.encoder(encoder_name)  # load outside the timed part
    started = time.perf_counter()
    vectors, lemmas, languages = _embed(texts, encoder_name)
    embedded = time.perf_counter()
    one_space = nlp.ENCODERS[encoder_name].multilingual
    if k:
        found = clustering.group_notes(vectors, lemmas, languages, k, one_space=one_space)
    else:
        found = clustering.discover_notes(vectors, lemmas, languages, min_size=3, one_space=one_space)
    finished = time.perf_counter()
    scores = clustering.score(labels, found)
    seconds = finished - started
    across = clustering.one_theme_across_languages(labels, found, languages)
    return {
        "nmi": round(scores.nmi, 4),
        "ari": round(scores.ari, 4),
        "acc": round(scores.acc, 4),
        "n_themes": len(set(found.tolist()) - {-1}),
        "n_true_themes": len(set(labels)),
        "n_docs": len(texts),
        "ungrouped": int((found == -1).sum()),
        "seconds": round(seconds, 2),
        "embed_seconds": round(embedded - started, 2),
        "group_seconds": round(finished - embedded, 2),
        "docs_per_s": round(len(texts) / seconds, 1),
        "embed_docs_per_s": round(len(texts) / max(embedded - started, 1e-9), 1),
        "encoder": encoder_name,
        "k_given": k,
        "peak_memory_mb": _peak_mb(),
        # topics said in several (detected) languages that one theme holds; None: one language
        "one_theme_across_languages": None if across is None else round(across, 4),
    }


def evaluate_assignment(
    train: tuple[list[str], list[str]], test: tuple[list[str], list[str]], *, encoder_name: str, threshold: float
) -> dict[str, Any]:
    """Curated themes from the train labels (their notes are the examples), then the test texts
    are assigned as new notes would be."""
    from sklearn.metrics import f1_score  # scikit-learn: heavy, only when evaluating

    nlp.encoder(encoder_name)
    started = time.perf_counter()
    train_vectors, _, _ = _embed(train[0], encoder_name)
    themes = sorted(set(train[1]))
    ids = {t: i for i, t in enumerate(themes)}
    train_ids = np.array([ids[t] for t in train[1]])
    test_vectors, _, _ = _embed(test[0], encoder_name)
    fit_started = time.perf_counter()
    keep = classifier.bounded(train_ids)  # as the product fits: the most recent notes of each theme
    fitted = classifier.fit(train_vectors[keep], train_ids[keep])
    assign_started = time.perf_counter()
    predicted, confidence = classifier.assign(fitted, test_vectors)
    finished = time.perf_counter()
    truth = np.array([ids.get(t, -1) for t in test[1]])
    confident = confidence >= threshold
    return {
        "accuracy": round(float((predicted == truth).mean()), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "threshold": threshold,
        "coverage_at_threshold": round(float(confident.mean()), 4),
        "accuracy_at_threshold": round(float((predicted[confident] == truth[confident]).mean()), 4)
        if confident.any()
        else None,
        "n_train": len(train[0]),
        "n_test": len(test[0]),
        "n_themes": len(themes),
        "seconds": round(finished - started, 2),
        "docs_per_s": round((len(train[0]) + len(test[0])) / (finished - started), 1),
        "fit_seconds": round(assign_started - fit_started, 2),
        "assign_ms_per_note": round(1000 * (finished - assign_started) / len(test[0]), 3),
        "encoder": encoder_name,
        "peak_memory_mb": _peak_mb(),
    }
