"""The sentence encoder (all-MiniLM-L6-v2 in CTranslate2, int8 weights) gives unit vectors
close to those sentence-transformers gives for the same model."""

from __future__ import annotations

import numpy as np
import pytest

from triggerfilm.archiveindex import meaning

SENTENCES = [
    "Every machine had its own beep, and nobody told me what they meant.",
    "I",
    "Going home was a shock, though; I was sent home on a Friday afternoon with a bag of "
    "tablets and no plan, and my legs were so weak that I fell over in the kitchen.",
    "Nobody explained what the alarms meant.",
    "The follow-up clinic helped a lot, because they explained what had happened to me.",
]


@pytest.fixture(scope="module")
def encoder():
    if not meaning.available():
        pytest.skip("the sentence-embedding model is not installed (see docs/search.md)")
    return meaning.encoder()


def test_vectors_are_unit_length_and_close_sentences_are_close(encoder):
    vectors = encoder.encode(SENTENCES)
    assert vectors.shape == (5, meaning.DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar = vectors[3] @ vectors[0]
    assert similar > vectors[3] @ vectors[2] and similar > 0.4


def test_a_sentence_gets_the_same_vector_alone_or_in_a_batch(encoder):
    # Queries are encoded one at a time and passages in batches padded to their longest:
    # padding must not change a vector.
    batch = encoder.encode(SENTENCES)
    for i, sentence in enumerate(SENTENCES):
        assert np.abs(encoder.encode([sentence])[0] - batch[i]).max() < 1e-3


def test_the_model_is_converted_once_into_the_cache(encoder):
    folder = meaning.converted_dir()
    assert {"model.bin", "config.json", "vocabulary.json"} <= {p.name for p in folder.iterdir()}
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging left
    assert meaning.convert(meaning.model_dir(), folder) == folder


@pytest.mark.slow
def test_matches_sentence_transformers(encoder):
    sentence_transformers = pytest.importorskip(
        "sentence_transformers", reason="sentence-transformers is not installed (reference only)"
    )
    reference = sentence_transformers.SentenceTransformer(str(meaning.model_dir()), device="cpu")
    expected = reference.encode(SENTENCES, normalize_embeddings=True)
    vectors = encoder.encode(SENTENCES)
    # int8 weights: each vector within cosine 0.97 of the float32 model's (0.98 measured for
    # the one-word sentence, 0.995 and more for real ones), and the similarities between
    # sentences, which are what ranks a search, within 0.03.
    assert ((vectors * expected).sum(1) > 0.97).all()
    assert np.abs(vectors @ vectors.T - expected @ expected.T).max() < 0.03
