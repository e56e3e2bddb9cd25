"""What the job tests share: a real Redis on a loopback port, one per test module."""

from __future__ import annotations

import pytest

from bench import queue_cluster


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    try:
        with queue_cluster.redis_server(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except queue_cluster.ClusterFailed as error:
        pytest.fail(str(error))
