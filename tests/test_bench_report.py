"""What every benchmark's JSON says about the machine, and how bench.training states issue 12's goal."""

from bench.common import cpu_from, machine
from bench.training import GOAL_RATIO, ratios

ZEN3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 fma\n"
ZEN4 = ZEN3.replace("model\t\t: 1", "model\t\t: 17").replace("avx2 fma", "avx2 fma avx512f avx512bw")


def test_cpu_name_tells_apart_machines_the_host_names_alike():
    assert cpu_from(ZEN3) == ("AMD EPYC (family 25, model 1)", False)
    assert cpu_from(ZEN4) == ("AMD EPYC (family 25, model 17)", True)
    assert cpu_from("flags: sse2\n") == ("unknown", False)


def test_machine_names_the_libraries_and_thread_settings(monkeypatch):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "1")
    found = machine()
    assert found["tensorflow"] and found["keras"]  # installed versions, read without importing them
    assert found["threads"]["TF_NUM_INTRAOP_THREADS"] == "1"
    assert found["cpus"] >= 1 and isinstance(found["avx512"], bool)


def test_goal_ratio_is_time_to_target_not_samples_per_second():
    tutorial = {"epoch_seconds_extrapolated": 83.2, "samples_per_second": 156.7}
    measured = ratios({"seconds_to_target": 16.5, "samples_per_second": 1205.8}, tutorial)
    assert measured["time_to_target_ratio"] == 5.04
    assert measured["speed_ratio_fast_vs_tutorial_final"] == 7.69
    assert measured["goal"] == {"ratio": GOAL_RATIO, "met": False}
    assert ratios({"seconds_to_target": 8.0, "samples_per_second": 1}, tutorial)["goal"]["met"]
    never = ratios({"seconds_to_target": None, "samples_per_second": 1205.8}, tutorial)
    assert never["time_to_target_ratio"] is None and not never["goal"]["met"]
