"""``hydra/launcher=sim_pool``: a sweep's jobs on all cores of one machine, in forked warm workers.

Hydra's joblib launcher starts fresh worker processes that import everything
again (about 2 s each) and composes each job's config in them; Hydra's basic
launcher runs one job at a time. This launcher forks its workers from the
sweep's main process once everything is imported, so they start in
milliseconds, and each worker composes and runs whole jobs, taking the next job
as it finishes one. Jobs write their own records (``sim.experiments.sweep``), so results do
not depend on which worker ran a job: ``runs.parquet`` is the same as with the
basic or joblib launcher, run for run.

While the jobs run, one progress bar counts the sweep's runs (a line every 10%
of them when the output is not a terminal). Workers ignore Ctrl-C (the main
process stops them) and die with the main process (Linux), so a killed sweep
leaves no orphans behind to race a resumed one. A worker that dies stops the
sweep with a message (the jobs already complete are kept, a re-run resumes),
and an error in a job reaches the main process with the worker's traceback.

The main process is not single-threaded when it forks (numpy's and pyarrow's
idle thread pools, which prepare for fork; Python 3.12 may warn about it); the
launcher's own progress thread starts only after every worker exists.

Forking needs a POSIX system; elsewhere use ``hydra/launcher=joblib``. Hydra selects it as
``hydra/launcher=sim_pool`` (``hydra_plugins/sim_sweeps/sim_pool_launcher.py``).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, filter_overrides, run_job, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.experiments.runner import no_worker_pools
from sim.experiments.sweep import count_runs_into

log = logging.getLogger(__name__)


# What a forked worker needs to run job i; set in the main process just before forking. It lives
# here, in a module imported the usual way, because Hydra loads plugin modules outside sys.modules
# and a worker resolving a pickled function by name would find a second, empty copy there.
_LAUNCH: dict[str, Any] = {}


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class PoolLauncher(Launcher):
    """Runs a sweep's jobs in a pool of forked worker processes (see the module docstring)."""

    def __init__(self, n_jobs: int | None = None, progress: bool | None = None) -> None:
        super().__init__()
        if n_jobs is not None and n_jobs < 1:
            raise ValueError(f"hydra.launcher.n_jobs={n_jobs}: must be a whole number >= 1 (or null for all cores)")
        self.n_jobs = n_jobs
        self.progress = progress
        self.config: DictConfig | None = None
        self.task_function: TaskFunction | None = None
        self.hydra_context: HydraContext | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config = config
        self.hydra_context = hydra_context
        self.task_function = task_function

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        setup_globals()
        assert self.config is not None and self.hydra_context is not None and self.task_function is not None
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        n_workers = max(1, min(self.n_jobs or usable_cores(), len(job_overrides)))
        if n_workers > 1 and "fork" not in mp.get_all_start_methods():
            raise RuntimeError("hydra/launcher=sim_pool needs fork (POSIX); use hydra/launcher=joblib here")
        log.info(f"Launching {len(job_overrides)} jobs on {n_workers} worker process(es)")
        for i, overrides in enumerate(job_overrides):
            log.info(f"\t#{initial_job_idx + i} : {' '.join(filter_overrides(overrides))}")

        counter = mp.get_context("fork").Value("q", 0) if n_workers > 1 else _LocalCounter()
        count_runs_into(counter)
        _LAUNCH.update(
            hydra_context=self.hydra_context, config=self.config, task_function=self.task_function,
            overrides=[list(o) for o in job_overrides], initial=initial_job_idx,
            singleton_state=Singleton.get_state(),
        )  # fmt: skip
        total = _total_runs(job_overrides, self.config)
        show_bar = sys.stderr.isatty() if self.progress is None else self.progress
        try:
            if n_workers == 1:
                with _Progress(counter, total, show_bar):
                    runs = [_execute(i) for i in range(len(job_overrides))]
            else:
                runs = self._pooled(n_workers, len(job_overrides), counter, total, show_bar)
        finally:
            count_runs_into(None)
            _LAUNCH.clear()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        return [ret for _, ret in sorted(runs, key=lambda r: r[0])]

    def _pooled(self, n_workers: int, n: int, counter: Any, total: int | None, show_bar: bool) -> list:
        # concurrent.futures rather than multiprocessing.Pool: with fork it starts every worker at
        # the first submit, from this thread, before the progress thread exists (a Pool re-forks
        # lost workers from a helper thread, which PR_SET_PDEATHSIG ties them to), and a worker
        # that dies (killed, out of memory) fails the sweep instead of hanging it.
        executor = ProcessPoolExecutor(n_workers, mp_context=mp.get_context("fork"), initializer=_init_worker,
                                       initargs=(os.getpid(),))  # fmt: skip
        try:
            futures = [executor.submit(_execute, i) for i in range(n)]
            with _Progress(counter, total, show_bar):
                runs = [f.result() for f in as_completed(futures)]
        except BrokenProcessPool:
            _kill(executor)
            raise RuntimeError(
                "a worker process died (killed, or out of memory?) while running a job; the jobs already "
                f"complete are on disk: run the same command with hydra.sweep.dir={self.config.hydra.sweep.dir} "
                "to finish the rest"
            ) from None
        except BaseException:
            _kill(executor)  # Ctrl-C or a crash: stop the workers now; completed jobs are on disk
            raise
        executor.shutdown()
        return runs


def _kill(executor: ProcessPoolExecutor) -> None:
    """Stop every worker at once; their writes are atomic, so nothing half-written is left."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.kill()
    for proc in processes:
        proc.join(timeout=5)


_IN_WORKER = False  # set in each forked worker by _init_worker


def _init_worker(parent: int) -> None:
    global _IN_WORKER
    _IN_WORKER = True
    no_worker_pools()  # a job's workers=N would put more processes on cores the pool already uses
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if sys.platform.startswith("linux"):
        try:  # die with the main process rather than run on as an orphan (Linux only)
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the main process died before prctl took effect
        os._exit(1)


def _execute(i: int) -> tuple[int, JobReturn]:
    """Compose and run job ``i`` of the launch (in a worker, or in the main process with one worker)."""
    if _IN_WORKER:  # as Hydra's joblib launcher does in its workers; in-process, as its basic launcher
        setup_globals()
        Singleton.set_state(_LAUNCH["singleton_state"])
    idx = _LAUNCH["initial"] + i
    config = _LAUNCH["hydra_context"].config_loader.load_sweep_config(_LAUNCH["config"], _LAUNCH["overrides"][i])
    with open_dict(config):
        config.hydra.job.id = idx
        config.hydra.job.num = idx
    if _IN_WORKER:
        HydraConfig.instance().set_config(config)
    ret = run_job(
        hydra_context=_LAUNCH["hydra_context"], task_function=_LAUNCH["task_function"], config=config,
        job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir",
    )  # fmt: skip
    if _IN_WORKER:  # going back to the main process by pickle
        _make_portable(ret)
    return i, ret


def _make_portable(ret: JobReturn) -> None:
    """Make a job's return travel back by pickle: plain config nodes (Hydra's hold plugin classes
    that pickle cannot find by name, as Hydra loads plugin modules outside sys.modules), and an
    error that survives the round trip, carrying the worker's traceback as its cause."""
    if ret.hydra_cfg is not None:
        ret.hydra_cfg = OmegaConf.create(OmegaConf.to_container(ret.hydra_cfg))
    error = ret._return_value
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception(error))
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:  # e.g. an exception whose __init__ needs more than its args
            error = RuntimeError(f"{type(error).__name__}: {error}")
        ret._return_value = _WithTraceback(error, text)


class WorkerTraceback(Exception):
    """The traceback of an error raised in a worker process (the cause of the error re-raised here)."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0])


class _WithTraceback:
    """Pickles as ``error`` with ``WorkerTraceback(text)`` as its cause."""

    def __init__(self, error: BaseException, text: str) -> None:
        self.error, self.text = error, text

    def __reduce__(self):
        return _with_cause, (self.error, self.text)


def _with_cause(error: BaseException, text: str) -> BaseException:
    error.__cause__ = WorkerTraceback(text)
    return error


def _total_runs(job_overrides: Sequence[Sequence[str]], config: DictConfig) -> int | None:
    """Runs in the launch: each job's ``replicates`` times its ``posterior_draws`` (its overrides, or the config's)."""

    def value(overrides: Sequence[str], key: str, default: int) -> int:
        given = [o.partition("=")[2] for o in overrides if o.partition("=")[0].lstrip("+") == key]
        return int(given[-1]) if given else default

    try:
        replicates, draws = int(config.get("replicates", 1)), int(config.get("posterior_draws", 0) or 0)
        return sum(value(o, "replicates", replicates) * max(1, value(o, "posterior_draws", draws)) for o in job_overrides)
    except (TypeError, ValueError):
        return None


class _LocalCounter:
    """The one-worker stand-in for a shared ``multiprocessing.Value``."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def get_lock(self) -> threading.Lock:
        return self._lock


class _Progress:
    """Shows the shared run counter: a tqdm bar, or a log line every 10% of the runs."""

    def __init__(self, counter: Any, total: int | None, bar: bool, interval: float = 0.25) -> None:
        self.counter, self.total, self.bar, self.interval = counter, total, bar, interval
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._halt.set()
        self._thread.join()

    def _watch(self) -> None:
        if self.bar:
            from tqdm import tqdm

            with tqdm(total=self.total, desc="sweep", unit="run", file=sys.stderr, dynamic_ncols=True) as bar:
                while True:
                    halted = self._halt.wait(self.interval)
                    bar.update(self.counter.value - bar.n)
                    if halted:
                        return
        step = max(1, (self.total or 0) // 10) if self.total else None
        shown = 0
        while True:
            halted = self._halt.wait(self.interval)
            done = self.counter.value
            if step and (done // step > shown // step or (halted and done != shown)):
                log.info(f"{done}/{self.total} runs done ({100 * done / self.total:.0f}%)")
                shown = done
            if halted:
                return
