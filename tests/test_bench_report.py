"""What every benchmark's JSON says about the machine, and how bench.training states its goal (issue 26: 5)."""

from bench.common import cpu_from, machine
from bench.training import GOAL_RATIO, median_ratios, ratios

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
    assert measured["speed_ratio_vs_tutorial_final"] == 7.69
    assert measured["goal"] == {"ratio": GOAL_RATIO, "met": True}
    assert not ratios({"seconds_to_target": 20.0, "samples_per_second": 1}, tutorial)["goal"]["met"]
    never = ratios({"seconds_to_target": None, "samples_per_second": 1205.8}, tutorial)
    assert never["time_to_target_ratio"] is None and not never["goal"]["met"]


def test_repeated_rounds_state_the_goal_on_the_median():
    tutorial = {"epoch_seconds_extrapolated": 80.0, "samples_per_second": 150.0}
    rounds = [ratios({"seconds_to_target": s, "samples_per_second": 2000.0}, tutorial) for s in (14.0, 18.0, None)]
    summary = median_ratios(rounds)
    assert summary["time_to_target_ratio"] == 4.44  # 5.71, 4.44 and 0 (never reached)
    assert summary["time_to_target_ratio_range"] == [0.0, 5.71]
    assert summary["goal"] == {"ratio": GOAL_RATIO, "met": False, "on": "median of 3 rounds"}
    assert len(summary["rounds"]) == 3
    assert median_ratios(rounds[:1]) == rounds[0]
