import wiring


def test_rlhf_example_checks_clean():
    result = wiring.check_file("examples/rlhf.wd")
    assert result.ok, result.report()
