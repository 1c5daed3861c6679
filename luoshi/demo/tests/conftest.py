"""The demo tests share one loaded demo, so they ask to run on one xdist worker (`--dist loadgroup`)."""


def pytest_configure(config):
    # xdist registers this marker itself; without xdist (`-p no:xdist`) --strict-markers needs it.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")
