"""Parses the technological cards of seed 003 (decision No. 75 of 22.01.2024, annex 2) into rows.

Used by transcribe_003.py; the layout of the seed is a table flattened to text: every cell starts with a tab,
a row has five cells, page breaks repeat the header row «1 2 3 4 5» and continue a cell in a row whose first
cell is empty.
"""
import re

CARD_RE = re.compile(r'^\s*ТЕХНОЛОГІЧНА КАРТКА ПУБЛІЧНОЇ ПОСЛУГИ № (\d+)\s*$', re.M)


def cards(text):
    marks = list(CARD_RE.finditer(text))
    out = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out[int(m.group(1))] = text[m.start():end]
    return out


def dehyphen(s):
    """Joins words hyphenated at a line break of the cell («ви-ди», «ро- бочого»), keeps compounds
    («житлово-комунальних»: a left part of 5+ letters ending in -о)."""
    def join(m):
        left, right = m.group(1), m.group(2)
        word = re.search(r'(\w+)$', left).group(1)
        if len(word) >= 5 and word.endswith('о') and not m.group(0).count(' '):
            return left + '-' + right
        return left + right
    prev = None
    while prev != s:
        prev = s
        s = re.sub(r'([А-Яа-яІіЇїЄєҐґ’\']+)-\s*([а-яіїєґ’\']+)', join, s)
    return s


def clean(s):
    s = s.replace('[bookmark: _Hlk157245550]', '')
    s = re.sub(r'\[bookmark:[^\]]*\]', '', s)
    s = re.sub(r'\s+', ' ', s).strip()
    return dehyphen(s)


def header(card_text):
    head = card_text.split('\n\t', 1)[0]
    m = re.search(r'Послуга:\s*(.*?)\s*Загальна кількість днів надання послуги:?\s*(.*)$', head, re.S)
    return clean(m.group(1)), m.group(2).strip()


def rows(card_text):
    body = '\n\t' + card_text.split('\n\t', 1)[1]
    # the footnote after the table
    body = re.split(r'\n(?:\[bookmark[^\]]*\])?\*У разі', body)[0]
    cells = []
    for line in body.split('\n'):
        if line.startswith('\t'):
            cells.append(line[1:])
        elif cells:
            cells[-1] += '\n' + line
    cells = [c.strip() for c in cells]
    assert len(cells) % 5 == 0, (len(cells), cells[-7:])
    rs = [cells[i:i + 5] for i in range(0, len(cells), 5)]
    out = []
    for r in rs:
        if [x for x in r] == ['1', '2', '3', '4', '5']:
            continue
        if r[0].startswith('№'):
            continue
        if r[0] == '' and out:
            out[-1] = [a + '\n' + b if b else a for a, b in zip(out[-1], r)]
            out[-1][0] = out[-1][0].strip()
            continue
        out.append(r)
    return out
