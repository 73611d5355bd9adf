"""Reference Dawid-Skene in numpy, the baseline of bench/aggregate.ts (whole process, same job).

Reads `item,worker,label` CSV, runs textbook Dawid-Skene (soft-majority start, maximum-likelihood
M-step with a 1e-10 floor, stop when no posterior moves by more than 1e-8, at most 50
iterations) and writes `item,label,confidence` CSV, like `labelchain aggregate --method ds`.
Vectorised the usual way: np.unique for the indices, np.bincount for every sum over answers.

    python3 bench/numpy_ds.py ANSWERS.csv [--iterations N] [--tol T] > labels.csv
"""
import csv
import sys

import numpy as np

FLOOR = 1e-10


def main() -> None:
    args = sys.argv[1:]
    path = args[0]
    max_iterations = int(args[args.index('--iterations') + 1]) if '--iterations' in args else 50
    tol = float(args[args.index('--tol') + 1]) if '--tol' in args else 1e-8
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.reader(f)
        next(reader)
        rows = list(reader)
    items, item_idx = np.unique(np.array([r[0] for r in rows]), return_inverse=True)
    _, worker_idx = np.unique(np.array([r[1] for r in rows]), return_inverse=True)
    classes, label_idx = np.unique(np.array([r[2] for r in rows]), return_inverse=True)
    n_items, n_workers, k = len(items), int(worker_idx.max()) + 1, len(classes)
    wl = worker_idx * k + label_idx

    votes = np.stack([np.bincount(item_idx, weights=(label_idx == c), minlength=n_items) for c in range(k)], axis=1)
    t = votes / votes.sum(axis=1, keepdims=True)
    for _ in range(max_iterations):
        # M-step: class prior and confusion matrices pi[w, true, answered] from the posteriors.
        prior = np.maximum(t.sum(axis=0) / n_items, FLOOR)
        counts = np.stack([np.bincount(wl, weights=t[item_idx, c], minlength=n_workers * k) for c in range(k)], axis=1)
        counts = counts.reshape(n_workers, k, k)  # [w, answered, true]
        row = counts.sum(axis=1, keepdims=True)
        pi = np.where(row > 0, counts / np.where(row > 0, row, 1), 1.0 / k)
        log_pi = np.log(np.maximum(pi, FLOOR))  # [w, answered, true]
        # E-step.
        contrib = log_pi.reshape(n_workers * k, k)[wl]  # [answer, true]
        log_t = np.log(prior)[None, :] + np.stack([np.bincount(item_idx, weights=contrib[:, c], minlength=n_items) for c in range(k)], axis=1)
        log_t -= log_t.max(axis=1, keepdims=True)
        new_t = np.exp(log_t)
        new_t /= new_t.sum(axis=1, keepdims=True)
        change = np.abs(new_t - t).max()
        t = new_t
        if change < tol:
            break
    labels = t.argmax(axis=1)
    out = csv.writer(sys.stdout, lineterminator='\n')
    out.writerow(['item', 'label', 'confidence'])
    out.writerows(zip(items, classes[labels], np.round(t[np.arange(n_items), labels], 6)))


if __name__ == '__main__':
    main()
