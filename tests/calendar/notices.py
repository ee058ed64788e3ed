"""A fictional 2027 holiday notice, in both accepted formats (test data only)."""

# Fictional 2027 arrangement for tests ONLY (not the official notice): New Year 1/1-1/3,
# a Spring Festival block 2/6-2/12 and one make-up working Saturday, 2/20.
NOTICE_2027_TOML = """\
# TEST DATA: not the official 2027 arrangement.
year = 2027
title = "测试用2027年节假日安排"

[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
from = 2027-01-01
to = 2027-01-03

[[holiday]]
name_zh = "春节"
name_en = "Spring Festival"
from = 2027-02-06
to = 2027-02-12
work = [2027-02-20]
"""

NOTICE_2027_CSV = """\
# title: 测试用2027年节假日安排
date,kind,name_zh,name_en
2027-01-01,off,元旦,New Year's Day
2027-01-02,off,元旦,New Year's Day
2027-01-03,off,元旦,New Year's Day
2027-02-06,off,春节,Spring Festival
2027-02-07,off,春节,Spring Festival
2027-02-08,off,春节,Spring Festival
2027-02-09,off,春节,Spring Festival
2027-02-10,off,春节,Spring Festival
2027-02-11,off,春节,Spring Festival
2027-02-12,off,春节,Spring Festival
2027-02-20,work,春节,Spring Festival
"""
