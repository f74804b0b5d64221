"""`vigie churn train | score | models`: the churn model from the command line.

The work is in alerts/; this module turns flags and settings into calls and
expected failures (unknown site, too little data, no promoted model) into
one-line CommandErrors.
"""
import argparse
import datetime
import os

from vigie.cli_common import (CommandError, _command, _migrated_store, _positive, _settings,
                              registered_site)


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _churn_modules():
    """Imported when a churn command runs: xgboost and scikit-learn take a
    second to import, which every other command would pay for."""
    from vigie.alerts import churn_registry, churn_scoring, churn_training
    return churn_training, churn_scoring, churn_registry


def _site(store, domain):
    return registered_site(store, domain).domain


def cmd_train(args):
    training, _, registry = _churn_modules()
    from vigie.alerts.churn_labels import LabelWindowError
    from vigie.alerts.churn_metrics import MetricsError
    settings = _settings(args)
    store = _migrated_store(settings)
    try:
        site = _site(store, args.site)
        training.train_churn_model(
            store, site, settings.churn_key_pages, settings.churn_model_dir, as_of=args.as_of,
            horizon_days=args.horizon or settings.churn_horizon_days,
            require_no_visit=settings.churn_label_requires_no_visit, seed=args.seed,
            threads=args.threads, progress=lambda line: print(line, flush=True))
    except (training.TrainingError, LabelWindowError, MetricsError, registry.RegistryError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        store.close()


def cmd_score(args):
    _, scoring, registry = _churn_modules()
    if args.out and not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        raise CommandError(f"--out {args.out}: directory {os.path.dirname(os.path.abspath(args.out))} does not exist")
    settings = _settings(args)
    store = _migrated_store(settings)
    try:
        site = _site(store, args.site)
        run = scoring.score_clients(store, site, settings.churn_risk_medium, settings.churn_risk_high,
                                    as_of=args.as_of, out_csv=args.out, batch_size=args.batch_size,
                                    exact_reasons=not args.fast_reasons,
                                    horizon_days=args.horizon or settings.churn_horizon_days,
                                    allow_other_horizon=args.allow_other_horizon,
                                    progress=lambda line: print(line, flush=True))
    except registry.RegistryError as exc:
        raise CommandError(str(exc)) from None
    finally:
        store.close()
    bands = ", ".join(f"{n} {band}" for band, n in run.bands.items())
    print(f"scored {run.clients} clients of {run.site} as of {run.as_of} with model "
          f"{run.model_version}: {bands}" + (f"; CSV in {args.out}" if args.out else ""))


def cmd_models(args):
    _, _, registry = _churn_modules()
    store = _migrated_store(_settings(args))
    try:
        site = _site(store, args.site)
        models = registry.list_models(store, site)
    finally:
        store.close()
    if not models:
        print(f"no churn model for {site} yet: vigie churn train --site {site}")
        return
    print("version\tcreated\tpromoted\tchampion\tROC AUC\tPR AUC\tBrier\tlift@10%\trecency ROC AUC\t"
          "evaluated on")
    for m in models:
        model, base = m.metrics["model"], m.metrics["recency_baseline"]
        window = m.data_window["evaluation_labels"]
        print(f"{m.version}\t{m.created_at:%Y-%m-%d %H:%M}\t{'yes' if m.promoted else 'no'}\t"
              f"{m.parameters.get('kind', 'xgboost')}\t"
              f"{model['roc_auc']:.3f}\t{model['pr_auc']:.3f}\t{model['brier']:.3f}\t"
              f"{model['lift_top_decile']:.2f}\t{base['roc_auc']:.3f}\t{window[0]}..{window[1]}")
    _print_candidates(models[-1])


def _print_candidates(record):
    """The newest model's candidates on validation (models trained before
    there were candidates have none to show)."""
    candidates = record.metrics.get("candidates")
    if not candidates:
        return
    print(f"\ncandidates of {record.version} on validation ({record.data_window.get('fold_note', '')}):")
    print("candidate\tROC AUC\tPR AUC\tBrier\tECE\tlift@10%")
    for kind, m in sorted(candidates.items(), key=lambda item: -item[1]["roc_auc"]):
        print(f"{kind}\t{m['roc_auc']:.3f}\t{m['pr_auc']:.3f}\t{m['brier']:.3f}\t{m['ece']:.3f}\t"
              f"{m['lift_top_decile']:.2f}")
    for kind, why in sorted(record.metrics.get("skipped_candidates", {}).items()):
        print(f"{kind}\tleft out: {why}")
    print(record.promotion_note)


def register(commands):
    churn = _command(commands, "churn", "churn model: train, score, list models").add_subparsers(
        dest="churn_command", metavar="COMMAND", required=True)

    train = _command(churn, "train", "train a churn model out of time and register it")
    train.add_argument("--site", required=True, help="the site's domain")
    train.add_argument("--as-of", type=_date, metavar="DATE",
                       help="end of the data used, YYYY-MM-DD (default today): training features at "
                            "DATE - 2 x horizon, evaluation on the last horizon before DATE; a horizon "
                            "longer than the history is refused with the earliest feasible DATE")
    train.add_argument("--horizon", type=_positive, metavar="DAYS",
                       help="churn horizon in days (default: setting churn_horizon_days)")
    train.add_argument("--seed", type=int, default=0, help="random seed of the split and XGBoost (default 0)")
    train.add_argument("--threads", type=_positive, default=1, help="XGBoost threads (default 1)")
    train.set_defaults(func=cmd_train)

    score = _command(churn, "score", "score every active client with the promoted model")
    score.add_argument("--site", required=True, help="the site's domain")
    score.add_argument("--as-of", type=_date, metavar="DATE",
                       help="reference date, YYYY-MM-DD (default today): features use data before it")
    score.add_argument("--out", metavar="FILE.csv",
                       help="also write customer_id,probability,risk_band,reasons to this CSV")
    score.add_argument("--horizon", type=_positive, metavar="DAYS",
                       help="the horizon the scores answer for (default: setting churn_horizon_days); "
                            "a promoted model trained for another horizon is refused")
    score.add_argument("--allow-other-horizon", action="store_true",
                       help="score with the promoted model even if it was trained for another horizon")
    score.add_argument("--batch-size", type=_positive, default=50_000,
                       help="clients per model batch (default 50000)")
    score.add_argument("--fast-reasons", action="store_true",
                       help="rank every client's reasons by Saabas attributions; by default "
                            "medium- and high-risk clients get exact SHAP reasons (same probabilities)")
    score.set_defaults(func=cmd_score)

    models = _command(churn, "models", "list a site's churn models with their metrics")
    models.add_argument("--site", required=True, help="the site's domain")
    models.set_defaults(func=cmd_models)
