"""A WordPiece tokenizer read from a HuggingFace tokenizer.json: the BERT normaliser, the BERT
pre-tokenizer, greedy longest-match WordPiece and the [CLS] ... [SEP] template, cut at maxTokens.

It gives the ids the Java worker's HuggingFace tokenizer gives for the same file (checked against it
in PythonTrainerTest), without the `tokenizers` package, which Debian does not ship. Other
tokenizer models are refused naming text.tokenizer.
"""
import json
import unicodedata


class WordPieceTokenizer:

    def __init__(self, data, max_tokens):
        try:
            spec = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError("text.tokenizer: not a tokenizer.json: %s" % e)
        model = spec.get("model") or {}
        if model.get("type") != "WordPiece":
            raise ValueError("text.tokenizer: the reference trainer reads WordPiece tokenizers; this one is '%s'"
                             % model.get("type"))
        normalizer = spec.get("normalizer") or {}
        if normalizer and normalizer.get("type") != "BertNormalizer":
            raise ValueError("text.tokenizer: normalizer '%s' is not supported (BertNormalizer is)" % normalizer.get("type"))
        self.vocab = model["vocab"]
        self.unk = model.get("unk_token", "[UNK]")
        self.prefix = model.get("continuing_subword_prefix", "##")
        self.max_chars = int(model.get("max_input_chars_per_word", 100))
        self.clean_text = normalizer.get("clean_text", True)
        self.chinese = normalizer.get("handle_chinese_chars", True)
        self.lowercase = normalizer.get("lowercase", True)
        strip = normalizer.get("strip_accents")
        self.strip_accents = self.lowercase if strip is None else strip
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self.max_tokens = max_tokens

    def encode(self, text):
        """Token ids of one text: [CLS], its word pieces (at most maxTokens - 2), [SEP]."""
        pieces = []
        for word in self._words(self._normalise(text)):
            pieces.extend(self._word_pieces(word))
        pieces = pieces[:self.max_tokens - 2]
        return [self.cls] + pieces + [self.sep]

    def _normalise(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if self.clean_text:
                if cp == 0 or cp == 0xFFFD or _is_control(ch):
                    continue
                if _is_whitespace(ch):
                    ch = " "
            if self.chinese and _is_chinese(cp):
                out.append(" " + ch + " ")
                continue
            out.append(ch)
        text = "".join(out)
        if self.strip_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        if self.lowercase:
            text = text.lower()
        return text

    @staticmethod
    def _words(text):
        """Whitespace-separated words, each punctuation character a word of its own."""
        words = []
        for chunk in text.split():
            current = []
            for ch in chunk:
                if _is_punctuation(ch):
                    if current:
                        words.append("".join(current))
                        current = []
                    words.append(ch)
                else:
                    current.append(ch)
            if current:
                words.append("".join(current))
        return words

    def _word_pieces(self, word):
        if len(word) > self.max_chars:
            return [self.vocab[self.unk]]
        ids = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.vocab[self.unk]]
            ids.append(found)
            start = end
        return ids


def _is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)
