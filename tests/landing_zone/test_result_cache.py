"""The check-result cache is keyed on everything the pack's verdict depends on."""

from landing_zone.stack_graph import ResultCache


def _digest(pack, tmp_path):
    return ResultCache(tmp_path / "cache", pack, None).pack


def test_a_pinned_library_or_a_data_file_of_the_pack_invalidates_cached_results(tmp_path):
    pack = tmp_path / "policies"
    (pack / "lz_policies").mkdir(parents=True)
    (pack / "lz_policies" / "rules.py").write_text("RULES = []\n")
    (pack / "lz_policies" / "aws_taggable_types.txt").write_text("aws:s3/bucket:Bucket\n")
    (pack / "requirements.txt").write_text("detect-secrets==1.5.0\n")
    first = _digest(pack, tmp_path)
    assert _digest(pack, tmp_path) == first
    (pack / "requirements.txt").write_text("detect-secrets==1.6.0\n")
    second = _digest(pack, tmp_path)
    assert second != first
    (pack / "lz_policies" / "aws_taggable_types.txt").write_text("aws:s3/bucket:Bucket\naws:sqs/queue:Queue\n")
    assert _digest(pack, tmp_path) != second
