"""Calibration: fitting uncertain behavioural parameters to observed series, and the uncertainty
that remains (gs.calibrate, `gatesim calibrate`; docs/calibration.md).

    cal = gs.calibrate("warning_then_block", "obs.csv",
                       {"segments.consumer.return_hazard": (0, 0.2)}, trials=60, replicates=4)
    cal.best, cal.region(), cal.flags          # best fit, credible region, non-identifiable pairs
    cal.save("calib.h5"); gs.plots.calibration_fit(cal)

Optuna's TPE sampler proposes parameter values (the first of them uniformly at random, so the
region below is mapped over the whole prior box), and the last third of the trials are drawn
uniformly around the trials near the region, to map it evenly; each trial runs `replicates` replicates
of the scenario with the scenario's seed (common random numbers: every trial sees the same
draws, so differences between trials are the parameters', not noise) through gs.run, on a pool
of processes or MPI ranks when given. Trials go to an Optuna journal file (OUTPUT.journal) as
they finish, so an interrupted calibration resumes with resume=True.

The loss is a chi-square discrepancy (Gaussian -2 log-likelihood up to a constant) of the mean
of the replicates against each observation; the region is the likelihood-ratio set of the
trials, chi2(theta) - chi2(best) <= the chi-square quantile with one degree of freedom per
parameter, taken as a sample of the parameter values consistent with the data.
"""
from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from . import calibration_file, calibration_observations as observations_io
from .errors import CalibrationError, ScenarioError
from .scenario import Scenario, as_scenario

# A parameter whose consistent values span this share of its prior range is not pinned down.
WIDE = 0.7
# Consistent values this correlated trace a ridge: only a combination of the pair is pinned down.
RIDGE = 0.7
# A region of fewer trials than this is too thinly mapped to be read as one.
FEW = 5
# A pair whose consistent values both span this share of their prior ranges is not pinned down
# together, even without a straight ridge (a curved one, or a broad plateau).
LOOSE = 0.5


@dataclass(frozen=True)
class Parameter:
    key_path: str
    low: float
    high: float


def parse_parameters(spec: str | Mapping | Sequence, scenario: Scenario) -> list[Parameter]:
    """'key=low:high,key=low:high' or {key: (low, high)}: checked against the scenario's fields
    (both ends must be values the field can take). CalibrationError otherwise."""
    if isinstance(spec, str):
        items = []
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            key, eq, bounds = part.partition("=")
            low, colon, high = bounds.partition(":")
            if not eq or not colon:
                raise CalibrationError(f"--parameters: {part!r} is not key.path=low:high")
            items.append((key.strip(), low, high))
    else:
        items = [(k, *v) for k, v in (spec.items() if isinstance(spec, Mapping) else spec)]
    if not items:
        raise CalibrationError("name at least one parameter to fit, as key.path=low:high")
    parameters = []
    for key, low, high in items:
        try:
            low, high = float(low), float(high)
        except ValueError:
            raise CalibrationError(f"{key}: the range {low}:{high} is not two numbers") from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise CalibrationError(f"{key}: the range {low}:{high} must be finite with low < high")
        for end in (low, high):
            try:
                scenario.updated({key: end})
            except (ScenarioError, KeyError) as e:
                raise CalibrationError(f"{key}: {e}") from None
        if key in (p.key_path for p in parameters):
            raise CalibrationError(f"{key}: named twice")
        parameters.append(Parameter(key, low, high))
    return parameters


def _sse_scales(obs) -> dict:
    """Per quantity, the scale of its residuals where no uncertainty is given: the observed range
    (or the mean's magnitude for a flat series, or 1)."""
    scales = {}
    for name, q in obs.quantities.items():
        values = q.observed
        spread = float(values.max() - values.min()) if len(values) > 1 else 0.0
        scales[name] = spread or abs(float(values.mean())) or 1.0
    return scales


class _Trial:
    """Runs one parameter point: `replicates` replicates under common random numbers, the
    predictions (mean and sd over replicates) at every observation."""

    def __init__(self, scenario: Scenario, obs, replicates: int, executor, threads: int | None):
        self.scenario = scenario
        self.obs = obs
        self.replicates = replicates
        self.executor = executor
        self.threads = threads

    def run(self, values: Mapping[str, float]):
        from .running import run

        sc = self.scenario.updated(dict(values))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sanity warnings of extreme trial values are not the fit's
            res = run(sc, replicates=self.replicates, progress=False, executor=self.executor,
                      threads=self.threads, scope=self.obs.scopes() or None)
        return res

    def predict(self, values: Mapping[str, float]) -> dict:
        res = self.run(values)
        out = {}
        for name, q in self.obs.quantities.items():
            p = observations_io.predicted(q, res)
            out[name] = (p.mean(axis=0), p.std(axis=0, ddof=1) if len(p) > 1 else np.zeros(p.shape[1]))
        return out


def loss(obs, predictions: Mapping, scales: Mapping, replicates: int) -> float:
    """What the sampler minimises: the sum over observations of squared residuals of the
    replicates' mean, each over the observation's variance plus the squared standard error of
    the mean where an uncertainty is given, else over the quantity's squared scale (its observed
    range); docs/calibration.md."""
    total = 0.0
    for name, q in obs.quantities.items():
        mean, sd = predictions[name]
        given = np.isfinite(q.sigma)
        variance = np.where(given, q.sigma ** 2 + sd ** 2 / replicates, scales[name] ** 2)
        total += float(np.sum((q.observed - mean) ** 2 / variance))
    return total


def refinement_trials(trials: int) -> int:
    """How many of the trials map the region rather than search (none for short runs)."""
    return trials // 3 if trials >= 12 else 0


def _sampler(method: str, seed: int, trials: int):
    import optuna

    startup = max(1, (trials - refinement_trials(trials)) // 2)
    if method == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup, multivariate=True)
    if method == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, n_startup_trials=startup)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise CalibrationError(f"method {method!r}: expected tpe, cmaes or random")


def _storage(journal: str | None):
    import optuna

    if journal is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # JournalStorage is "experimental" in Optuna 3.1
        return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(journal))


def _study(parameters, method, seed, trials, journal, resume, inputs: str):
    """The Optuna study, new or (resume) from the journal; a journal of another calibration
    (parameters, method, seed, scenario or observations) is refused."""
    import hashlib

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if journal and os.path.exists(journal) and not resume:
        raise CalibrationError(f"{journal} holds the trials of an earlier calibration: continue it with "
                               "--resume (resume=True), or remove it")
    fingerprint = (";".join(f"{p.key_path}={p.low}:{p.high}" for p in parameters) + f";{method};seed={seed};"
                   + hashlib.sha256(inputs.encode()).hexdigest()[:16])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(study_name="gatesim-calibration", storage=_storage(journal),
                                    sampler=_sampler(method, seed, trials), direction="minimize",
                                    load_if_exists=True)
    recorded = study.user_attrs.get("fingerprint")
    if recorded is None:
        study.set_user_attr("fingerprint", fingerprint)
    elif recorded != fingerprint:
        raise CalibrationError(f"{journal} is a calibration of other parameters, settings, scenario or "
                               f"observations ({recorded}); resume with the same command, or remove the journal")
    return study


def _refinement_point(study, parameters, obs, scenario, replicates, level, seed, index) -> dict:
    """A point drawn uniformly from the box around the trials near the region so far
    (delta chi2 within twice the cut-off), widened by a quarter of its width on each side (at
    least 5% of the prior range) and clipped to the prior: the region's neighbourhood is mapped
    evenly, as history matching's later waves do, instead of only where TPE went."""
    so_far = Calibration.from_study(study, parameters, obs, scenario, replicates=replicates, level=level, method="")
    near = so_far.trial_values[so_far.delta_chi2 <= 2 * so_far.cutoff]
    rng = np.random.default_rng([int(seed), int(index)])
    point = {}
    for j, p in enumerate(parameters):
        lo, hi = float(near[:, j].min()), float(near[:, j].max())
        pad = max(0.25 * (hi - lo), 0.05 * (p.high - p.low))
        point[p.key_path] = float(rng.uniform(max(p.low, lo - pad), min(p.high, hi + pad)))
    return point


def _optimize(study, trial_runner, parameters, obs, trials, replicates, progress, *, level, seed):
    import optuna

    from .running import _progress_bar

    scales = _sse_scales(obs)
    done = len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])
    search = trials - refinement_trials(trials)
    with _progress_bar(progress, trials, "calibration", "trial") as bar:
        if bar is not None:
            bar.update(min(done, trials))
        for index in range(done, trials):
            if index >= search and not any(t.state == optuna.trial.TrialState.WAITING for t in study.trials):
                study.enqueue_trial(_refinement_point(study, parameters, obs, trial_runner.scenario, replicates, level,
                                                      seed, index))
            trial = study.ask({p.key_path: optuna.distributions.FloatDistribution(p.low, p.high) for p in parameters})
            try:
                predictions = trial_runner.predict(trial.params)
            except BaseException:  # Ctrl-C or a failed run: the journal keeps the finished trials only
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                raise
            trial.set_user_attr("predictions", {n: [list(map(float, m)), list(map(float, s))]
                                                for n, (m, s) in predictions.items()})
            study.tell(trial, loss(obs, predictions, scales, replicates))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(best=f"{study.best_value:.4g}")


def calibrate(scenario: Scenario | str, observations: str | os.PathLike, parameters, *, trials: int = 60,
              replicates: int = 4, method: str = "tpe", level: float = 0.95, seed: int | None = None,
              output: str | os.PathLike | None = None, resume: bool = False, executor=None,
              ranks: int | None = None, threads: int | None = None, progress: bool | None = None) -> "Calibration":
    """Fits `parameters` ('key=low:high,...' or {key: (low, high)}) of a scenario to an
    observations file (docs/calibration.md) and returns a Calibration.

    trials: parameter points evaluated (a third at random, a third by the sampler, a third
    mapping the region; docs/calibration.md); replicates: runs per trial
    under common random numbers; method: tpe (default), cmaes or random; level: credibility of
    the region; seed: the sampler's seed (default the scenario's). output: the calibration file
    (HDF5) to write; its trials go to output + '.journal' as they finish, and resume=True
    continues an interrupted calibration from there. executor= or ranks= runs each trial's
    replicates on a pool of processes or MPI ranks (gatesim.parallel)."""
    from . import parallel

    sc = as_scenario(scenario)
    params = parse_parameters(parameters, sc)
    trials, replicates = int(trials), int(replicates)
    if trials < 2 * len(params) + 2:
        raise CalibrationError(f"trials: {trials} is too few for {len(params)} parameter(s); give at least "
                               f"{2 * len(params) + 2}")
    if replicates < 1:
        raise CalibrationError("replicates must be at least 1")
    if not 0 < level < 1:
        raise CalibrationError("level must be between 0 and 1")
    obs = observations_io.read(observations, sc.days, sc.get("start_date") or None)
    journal = os.fspath(output) + ".journal" if output is not None else None
    with parallel.pool(executor, ranks) as pool:
        runner = _Trial(sc, obs, replicates, pool, threads)
        centre = {p.key_path: (p.low + p.high) / 2 for p in params}
        observations_io.check_against(obs, runner.run(centre))  # located errors before any trial
        seed = sc.seed if seed is None else int(seed)
        study = _study(params, method, seed, trials, journal, resume, sc.to_yaml() + obs.text + f";replicates={replicates}")
        _optimize(study, runner, params, obs, trials, replicates, progress, level=level, seed=seed)
    cal = Calibration.from_study(study, params, obs, sc, replicates=replicates, level=level, method=method)
    if output is not None:
        cal.save(output)
    return cal


class Calibration:
    """What a calibration found: every trial, the best fit, the region of parameter values
    consistent with the data (a sample of rows), and how well each parameter is pinned down.

    cal.best                {key: value} of the lowest loss
    cal.region()            per parameter: best, median, low, high of the region, its width as a share of the prior
    cal.sample              (rows, parameters) values consistent with the data: `--parameters-from`
    cal.flags               sentences naming parameters and pairs the data do not pin down
    cal.fit(quantity)       observed vs fitted (best, and the band over the region) by day
    cal.save(path); gs.load(path) reads it back
    """

    def __init__(self, parameters: Sequence[Parameter], trial_values: np.ndarray, loss: np.ndarray,
                 predictions: Mapping[str, np.ndarray], prediction_sd: Mapping[str, np.ndarray],
                 observed: Mapping[str, dict], *, level: float, replicates: int, method: str,
                 scenario_yaml: str = "", observations_text: str = "", observations_path: str = ""):
        self.parameters = list(parameters)
        self.keys = [p.key_path for p in self.parameters]
        self.loss = np.asarray(loss, dtype=float)
        self.trial_values = np.asarray(trial_values, dtype=float).reshape(len(self.loss), len(self.keys))
        # (trial, observation): the replicates' mean and standard deviation at each observation
        self.predictions = {k: np.asarray(v, dtype=float) for k, v in predictions.items()}
        self.prediction_sd = {k: np.asarray(v, dtype=float) for k, v in prediction_sd.items()}
        self.observed = dict(observed)  # quantity -> {day, value, uncertainty, metric}
        self.level = float(level)
        self.replicates = int(replicates)
        self.method = method
        self.scenario_yaml = scenario_yaml
        self.observations_text = observations_text
        self.observations_path = observations_path
        self.count_observations = sum(len(o["value"]) for o in self.observed.values())
        #: The calibration file, once written or when read from one.
        self.path = None
        self.chi2 = self._chi2()
        self.accepted = self._accept()

    # --- construction --------------------------------------------------------------------
    @classmethod
    def from_study(cls, study, parameters, obs, scenario, *, replicates, level, method) -> "Calibration":
        import optuna

        done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        values = np.array([[t.params[p.key_path] for p in parameters] for t in done])
        mean = {n: np.array([t.user_attrs["predictions"][n][0] for t in done]) for n in obs.quantities}
        sd = {n: np.array([t.user_attrs["predictions"][n][1] for t in done]) for n in obs.quantities}
        observed = {name: {"day": np.asarray(q.days), "value": q.observed, "uncertainty": q.sigma,
                           "metric": q.describe()} for name, q in obs.quantities.items()}
        return cls(parameters, values, np.array([t.value for t in done]), mean, sd, observed, level=level,
                   replicates=replicates, method=method, scenario_yaml=scenario.to_yaml(),
                   observations_text=obs.text, observations_path=obs.path)

    def _chi2(self) -> np.ndarray:
        """chi2 of every trial (-2 log-likelihood up to a constant). Where uncertainties are
        given, the covariance of a quantity's residuals is the observations' variances plus one
        shared term: the replicates' standard error s/sqrt(R) at every day at once, because
        under common random numbers a trial's error is a whole path too high or too low, not
        independent noise per day (Sherman-Morrison for the rank-one term). Where none is given,
        the residuals are over the quantity's residual variance at the best trial (its mean
        squared residual there), so that part of the best fit has chi2 = its count."""
        best = int(np.argmin(self.loss))
        total = np.zeros(len(self.loss))
        for name, o in self.observed.items():
            residual = o["value"][None, :] - self.predictions[name]
            given = np.isfinite(o["uncertainty"])
            if given.any():
                r = residual[:, given]
                d = o["uncertainty"][given] ** 2  # (observation,)
                u = self.prediction_sd[name][:, given] / math.sqrt(self.replicates)  # (trial, observation)
                ru = np.sum(r * u / d, axis=1)
                total += np.sum(r ** 2 / d, axis=1) - ru ** 2 / (1 + np.sum(u ** 2 / d, axis=1))
            if (~given).any():
                unknown = residual[:, ~given] ** 2
                sigma2 = max(float(unknown[best].mean()), 1e-300)
                total += unknown.sum(axis=1) / sigma2
        return total

    def _accept(self) -> np.ndarray:
        """The likelihood-ratio region over the trials: chi2 - min chi2 <= the chi-square
        quantile at `level` with one degree of freedom per parameter (Wilks)."""
        from scipy.stats import chi2 as chi_square

        self.delta_chi2 = self.chi2 - self.chi2.min()
        self.cutoff = float(chi_square.ppf(self.level, len(self.keys)))
        return self.delta_chi2 <= self.cutoff

    # --- what it found -------------------------------------------------------------------
    @property
    def best_index(self) -> int:
        return int(np.argmin(self.loss))

    @property
    def best(self) -> dict:
        return dict(zip(self.keys, map(float, self.trial_values[self.best_index])))

    @property
    def sample(self) -> np.ndarray:
        """(rows, parameters): the trials inside the region, in trial order."""
        return self.trial_values[self.accepted]

    def region(self):
        """Per parameter: prior low/high, best, median, low and high of the region, and its width
        as a share of the prior range (near 1: the data do not pin it down)."""
        import pandas as pd

        rows = []
        for j, p in enumerate(self.parameters):
            v = self.sample[:, j]
            rows.append({"parameter": p.key_path, "prior_low": p.low, "prior_high": p.high,
                         "best": self.best[p.key_path], "median": float(np.median(v)), "low": float(v.min()),
                         "high": float(v.max()), "width_share": float((v.max() - v.min()) / (p.high - p.low))})
        return pd.DataFrame(rows).set_index("parameter")

    def correlations(self) -> np.ndarray:
        """Correlation of the parameters over the region's sample (NaN where one is constant)."""
        s = self.sample
        if len(s) < 3:
            return np.full((len(self.keys),) * 2, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.corrcoef(s, rowvar=False).reshape(len(self.keys), len(self.keys))

    @property
    def flags(self) -> list[str]:
        """Sentences naming what the data do not pin down: a parameter whose region spans most
        of its prior range, and a pair whose region is a ridge (strongly correlated) or spans
        much of both ranges."""
        out = []
        for key, row in self.region().iterrows():
            if row["width_share"] >= WIDE:
                out.append(f"{key} is not identified: the values consistent with the data span "
                           f"{row['width_share']:.0%} of its prior range")
            elif row["width_share"] >= LOOSE:
                out.append(f"{key} is only loosely pinned down: the values consistent with the data span "
                           f"{row['width_share']:.0%} of its prior range")
        inside = int(self.accepted.sum())
        if inside < FEW:
            out.append(f"the region rests on only {inside} trial(s): too few to map it; run more trials (a larger "
                       "--trials with --resume continues this calibration) or more replicates")
        return out + [why for _, _, why in self._loose_pairs()]

    def _loose_pairs(self) -> list[tuple[str, str, str]]:
        r = self.correlations()
        width = self.region()["width_share"]
        out = []
        for i in range(len(self.keys)):
            for j in range(i + 1, len(self.keys)):
                a, b = self.keys[i], self.keys[j]
                if np.isfinite(r[i, j]) and abs(r[i, j]) >= RIDGE:
                    out.append((a, b, f"{a} and {b} are not separately identified: their consistent values lie on a "
                                      f"ridge (correlation {r[i, j]:+.2f}); only a combination is pinned down"))
                elif width[a] >= LOOSE and width[b] >= LOOSE:
                    out.append((a, b, f"{a} and {b} are not separately identified: together, the values consistent "
                                      f"with the data span {width[a]:.0%} and {width[b]:.0%} of their prior ranges"))
        return out

    def non_identifiable_pairs(self) -> list[tuple[str, str]]:
        """The pairs the flags name as not separately identified."""
        return [(a, b) for a, b, _ in self._loose_pairs()]

    def contains(self, values: Mapping[str, float]) -> bool:
        """Whether a point lies inside the region's box (each parameter within its low..high)."""
        region = self.region()
        return all(region.loc[k, "low"] <= v <= region.loc[k, "high"] for k, v in values.items())

    def with_observations(self, fraction: float) -> "Calibration":
        """The same trials judged against a share of the observations (every k-th of each
        quantity, first and last kept): how much the extra observations narrow the region."""
        keep = {}
        for name, o in self.observed.items():
            n = len(o["value"])
            keep[name] = np.unique(np.linspace(0, n - 1, max(1, round(n * fraction))).round().astype(int))
        observed = {n: {**o, **{k: o[k][keep[n]] for k in ("day", "value", "uncertainty")}} for n, o in self.observed.items()}
        return Calibration(self.parameters, self.trial_values, self.loss,
                           {n: v[:, keep[n]] for n, v in self.predictions.items()},
                           {n: v[:, keep[n]] for n, v in self.prediction_sd.items()}, observed, level=self.level,
                           replicates=self.replicates, method=self.method, scenario_yaml=self.scenario_yaml,
                           observations_text=self.observations_text, observations_path=self.observations_path)

    def fit(self, quantity: str):
        """Observed against fitted values of one quantity by day: the best fit, and the median
        and P5-P95 band of the fitted means over the region's trials."""
        import pandas as pd

        o = self.observed[quantity]
        p = self.predictions[quantity]
        inside = p[self.accepted]
        return pd.DataFrame({"day": o["day"], "observed": o["value"], "uncertainty": o["uncertainty"],
                             "best": p[self.best_index], "median": np.median(inside, axis=0),
                             "p5": np.quantile(inside, 0.05, axis=0), "p95": np.quantile(inside, 0.95, axis=0)})

    @property
    def quantities(self) -> list[str]:
        return list(self.observed)

    def summary(self) -> str:
        """A few lines for a terminal: trials, best fit, region, flags."""
        lines = [f"trials    {len(self.loss)} ({self.method}, {self.replicates} replicates each, common random numbers), "
                 f"{self.count_observations} observations",
                 f"region    {int(self.accepted.sum())} trials consistent with the data at {self.level:.0%} "
                 f"(likelihood ratio, chi2 cut-off {self.cutoff:.2f})"]
        width = max(len(k) for k in self.keys)
        for key, row in self.region().iterrows():
            lines.append(f"  {key:<{width}}  best {row['best']:.4g}  region {row['low']:.4g} .. {row['high']:.4g}"
                         f"  ({row['width_share']:.0%} of prior {row['prior_low']:.4g} .. {row['prior_high']:.4g})")
        lines += [f"warning   {f}" for f in self.flags]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Calibration of {', '.join(self.keys)}: {len(self.loss)} trials, {int(self.accepted.sum())} in the region>"

    def plot_fit(self, quantities=None, **kwargs):
        """gs.plots.calibration_fit: observed against fitted, with the band over the region."""
        from .plots import calibration_fit

        return calibration_fit(self, quantities, **kwargs)

    def plot_pairs(self, **kwargs):
        """gs.plots.calibration_pairs: pair plots of the trials and the region."""
        from .plots import calibration_pairs

        return calibration_pairs(self, **kwargs)

    def save(self, path: str | os.PathLike) -> None:
        """Writes the calibration file (docs/calibration.md); Calibration.load and gs.load read it back."""
        calibration_file.write(self, os.fspath(path))
        self.path = os.fspath(path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Calibration":
        fields = calibration_file.read(os.fspath(path))
        fields["parameters"] = [Parameter(*p) for p in fields["parameters"]]
        cal = cls(**fields)
        cal.path = os.fspath(path)
        return cal
