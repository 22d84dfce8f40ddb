"""The numpy sentence encoder gives the vectors sentence-transformers gives for the same model."""

from __future__ import annotations

import numpy as np
import pytest

from triggerfilm.archiveindex import meaning

SENTENCES = [
    "Every machine had its own beep, and nobody told me what they meant.",
    "I",
    "Going home was a shock, though; I was sent home on a Friday afternoon with a bag of "
    "tablets and no plan, and my legs were so weak that I fell over in the kitchen.",
]


@pytest.fixture(scope="module")
def encoder():
    if not meaning.available():
        pytest.skip("the sentence-embedding model is not installed (see docs/search.md)")
    return meaning.encoder()


def test_vectors_are_unit_length_and_close_sentences_are_close(encoder):
    vectors = encoder.encode(SENTENCES + ["Nobody explained what the alarms meant."])
    assert vectors.shape == (4, meaning.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar = vectors[3] @ vectors[0]
    assert similar > vectors[3] @ vectors[2] and similar > 0.4


@pytest.mark.slow
def test_matches_sentence_transformers(encoder):
    sentence_transformers = pytest.importorskip(
        "sentence_transformers", reason="sentence-transformers is not installed (reference only)"
    )
    reference = sentence_transformers.SentenceTransformer(str(meaning.model_dir()), device="cpu")
    expected = reference.encode(SENTENCES, normalize_embeddings=True)
    assert np.abs(encoder.encode(SENTENCES) - expected).max() < 1e-4
