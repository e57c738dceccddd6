import json
import unittest

from civitas_trainer.tokenizer import WordPieceTokenizer

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "smoke", "from", "a", "sub", "##station", "##s", ",", "!", "cafe", "東", "京"]


def tokenizer(max_tokens=16, model_type="WordPiece"):
    spec = {"normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None,
                           "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "model": {"type": model_type, "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                      "vocab": {t: i for i, t in enumerate(VOCAB)}}}
    return WordPieceTokenizer(json.dumps(spec).encode(), max_tokens)


class TokenizerTest(unittest.TestCase):

    def test_lowercases_splits_punctuation_and_continues_words_with_pieces(self):
        ids = tokenizer().encode("Smoke from a SUBSTATIONS, \t!")
        self.assertEqual([VOCAB[i] for i in ids], ["[CLS]", "smoke", "from", "a", "sub", "##station", "##s", ",", "!", "[SEP]"])

    def test_strips_accents_and_spaces_chinese_characters(self):
        self.assertEqual([VOCAB[i] for i in tokenizer().encode("Café東京")], ["[CLS]", "cafe", "東", "京", "[SEP]"])

    def test_a_word_with_an_unknown_piece_is_unknown_whole(self):
        self.assertEqual([VOCAB[i] for i in tokenizer().encode("subzero smoke")], ["[CLS]", "[UNK]", "smoke", "[SEP]"])

    def test_cuts_at_max_tokens_including_the_special_tokens(self):
        ids = tokenizer(max_tokens=4).encode("smoke from a substation")
        self.assertEqual([VOCAB[i] for i in ids], ["[CLS]", "smoke", "from", "[SEP]"])

    def test_refuses_another_tokenizer_model_naming_the_field(self):
        with self.assertRaisesRegex(ValueError, "text.tokenizer: .*WordPiece.*'BPE'"):
            tokenizer(model_type="BPE")


if __name__ == "__main__":
    unittest.main()
