"""Notice titles read as a clerk would write them: the tender's name and the notice's, no echo."""

from __future__ import annotations

import pytest

from notices.services import _joined


@pytest.mark.parametrize(
    ("name", "label", "title"),
    [
        ("校园安保服务采购", "采购公告", "校园安保服务采购公告"),
        ("海棠湾HT-07地块挂牌出让", "出让公告", "海棠湾HT-07地块挂牌出让公告"),
        ("旅游发展公司股权挂牌转让", "转让公告", "旅游发展公司股权挂牌转让公告"),
        (
            "海口市第一中学教学楼新建工程施工",
            "招标公告",
            "海口市第一中学教学楼新建工程施工招标公告",
        ),
        (
            "国企办公用品公开采购（办公用品包）",
            "中标候选人公示",
            "国企办公用品公开采购（办公用品包）中标候选人公示",
        ),
        ("公告", "公告", "公告公告"),
    ],
)
def test_the_tender_name_and_the_notice_label_share_their_common_words_once(
    name: str, label: str, title: str
) -> None:
    assert _joined(name, label) == title
