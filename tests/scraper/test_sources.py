from pathlib import Path

import pytest

from nianbao.scraper.sources import SourcesFileError, load_sources

YAML = """\
# comment line
sources:
  - name: 示例市人民政府
    start: https://www.example.gov.cn/zwgk/zfxxgknb/index.html
    agency: 示例市人民政府
    allow: [www.example.gov.cn, files.example.gov.cn]
  - name: 无网址
    agency: 样例县
  - name: 坏协议
    start: ftp://ftp.example.gov.cn/nb/
  - name: 重复
    start: HTTPS://WWW.EXAMPLE.GOV.CN:443/zwgk/zfxxgknb/index.html#x
  - name: 样例县财政局
    start: http://czj.example.gov.cn/xxgknb/
  - just a string
  - name: 坏主机
    start: http://a.gov.cn/
    allow: ["http://"]
"""


def test_yaml_problems_have_line_numbers_and_rest_runs(tmp_path: Path):
    f = tmp_path / "s.yaml"
    f.write_text(YAML, encoding="utf-8")
    loaded = load_sources(f)
    assert [s.name for s in loaded.sources] == ["示例市人民政府", "样例县财政局"]
    first = loaded.sources[0]
    assert first.allow == ("www.example.gov.cn", "files.example.gov.cn") and first.line == 3
    assert loaded.sources[1].allow == ("czj.example.gov.cn",)  # default: host of start
    problems = {p.line: p.message for p in loaded.problems}
    assert set(problems) == {7, 9, 11, 15, 16}
    assert "no start URL" in problems[7]
    assert "http://" in problems[9]
    assert "duplicate" in problems[11] and "line 3" in problems[11]
    assert "mapping" in problems[15]
    assert "allow entry" in problems[16]


def test_csv(tmp_path: Path):
    f = tmp_path / "s.csv"
    f.write_text("name,start,agency,allow\n"
                 "示例市,http://www.example.gov.cn/nb/,示例市人民政府,www.example.gov.cn file.example.gov.cn\n"
                 "缺网址,,,\n"
                 "示例市2,http://www.example.gov.cn/nb/#dup,,\n"
                 "坏,javascript:alert(1),,\n", encoding="utf-8")
    loaded = load_sources(f)
    assert len(loaded.sources) == 1
    assert loaded.sources[0].allow == ("www.example.gov.cn", "file.example.gov.cn")
    assert {p.line for p in loaded.problems} == {3, 4, 5}


@pytest.mark.parametrize("text, fragment", [
    ("sources: [\n  - name: x\n", "not valid YAML"),
    ("", "empty"),
    ("foo: bar\n", "sources"),
])
def test_unusable_file(tmp_path: Path, text: str, fragment: str):
    f = tmp_path / "s.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesFileError, match=fragment):
        load_sources(f)


def test_missing_and_bad_csv(tmp_path: Path):
    with pytest.raises(SourcesFileError, match="does not exist"):
        load_sources(tmp_path / "nope.yaml")
    f = tmp_path / "s.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(SourcesFileError, match="header"):
        load_sources(f)
    g = tmp_path / "g.yaml"
    g.write_bytes("sources:\n  - name: 示例\n".encode("gbk"))
    with pytest.raises(SourcesFileError, match="UTF-8"):
        load_sources(g)
