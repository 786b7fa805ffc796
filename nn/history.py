"""``History``: what ``fit`` measured, one entry per epoch, and its plot."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .chart import Chart
from .display import finish_figure, pyplot


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    ``loss``: the mean over the epoch's batches of the minimised objective (data loss
    plus the L2 term, if any), each measured in the forward pass before that batch's
    update. ``accuracy``: the fraction of the epoch's examples classified correctly in
    those same forward passes (empty when the loss is not a classifier and no
    ``accuracy`` function was given). ``lr``: the learning rate of the epoch's last step.

    With ``fit(..., validation=(X_val, y_val))``: ``val_loss`` and ``val_accuracy``,
    measured on those held-out examples after each epoch's last update, without
    recording a graph. ``val_loss`` is the data loss alone (no L2 term): how well the
    model does on examples it never trained on, which is what the L2 knob is for.
    ``l2``: the L2 coefficient of the run (0: ``loss`` is the data loss alone), so a plot
    can say when ``loss`` and ``val_loss`` measure different things.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    l2: float = 0.0

    def __len__(self) -> int:
        return len(self.loss)

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers, from 1."""
        return list(range(1, len(self.loss) + 1))

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        text = f"History({len(self)} epochs, loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}"
        if self.accuracy:
            text += f", accuracy {self.accuracy[0]:.1%} -> {self.accuracy[-1]:.1%}"
        if self.val_accuracy:
            text += f", validation accuracy {self.val_accuracy[-1]:.1%}"
        elif self.val_loss:
            text += f", validation loss {self.val_loss[-1]:.4g}"
        return text + ")"

    def chart(self) -> Chart:
        """The loss and, when measured, the accuracy per epoch, as two panels of a Chart.

        ``history.chart().show()`` draws it with matplotlib or, in the browser, as a
        Vega-Lite chart (see ``nn.chart``). Validation numbers are the dashed lines.
        """
        chart = Chart(cols=2, width=4.5, height=3.2)
        loss = chart.panel(title="loss", xlabel="epoch", ylabel="loss")
        loss.line(self.epochs, self.loss, "loss + L2 term" if self.l2 else "loss", "tab:blue")
        if self.val_loss:
            loss.line(self.epochs, self.val_loss, "validation loss", "tab:blue", dash=True)
        if self.accuracy or self.val_accuracy:
            acc = chart.panel(title="accuracy", xlabel="epoch", ylabel="accuracy",
                              ylim=(-0.02, 1.02), legend="lower right")  # fmt: skip
            if self.accuracy:
                acc.line(self.epochs, self.accuracy, "accuracy", "tab:orange")
            if self.val_accuracy:
                acc.line(self.epochs, self.val_accuracy, "validation accuracy", "tab:orange",
                         dash=True)  # fmt: skip
        return chart

    def plot(self, path: str | os.PathLike[str] | None = None, *, ax: Any = None) -> Any:
        """Plot loss (and accuracy, on a second axis) per epoch; returns the matplotlib Axes.

        In a notebook the figure shows under the cell. In a script it is saved to
        ``path`` (``history.plot("loss.png")``); with no path it opens a window when
        there is a display, else it is saved to ``training_history.png`` and the path is
        printed, never silently dropped. With ``ax`` it draws into that Axes and saves
        only when given a path.

        Validation loss and accuracy, when there are any, are the dashed lines in the
        same colours: the gap between a solid and a dashed line is the generalisation gap.
        """
        plt = pyplot("History.plot")
        fig = None
        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 3.5))
        name = "loss + L2 term" if self.l2 else "loss"  # val_loss never has the L2 term
        ax.plot(self.epochs, self.loss, color="tab:blue", label=name)
        if self.val_loss:
            ax.plot(self.epochs, self.val_loss, "--", color="tab:blue", label="validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss", color="tab:blue")
        lines = ax.get_lines()
        if self.accuracy or self.val_accuracy:
            acc_ax = ax.twinx()
            if self.accuracy:
                acc_ax.plot(self.epochs, self.accuracy, color="tab:orange", label="accuracy")
            if self.val_accuracy:
                acc_ax.plot(
                    self.epochs,
                    self.val_accuracy,
                    "--",
                    color="tab:orange",
                    label="validation accuracy",
                )
            acc_ax.set_ylabel("accuracy", color="tab:orange")
            acc_ax.set_ylim(-0.02, 1.02)
            lines = lines + acc_ax.get_lines()
        # One legend for both axes, below them, where it hides no line.
        ax.legend(
            lines,
            [line.get_label() for line in lines],
            fontsize="small",
            ncol=2 if len(lines) > 2 else len(lines),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            frameon=False,
        )
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title("training history")
        if fig is not None or path is not None:
            finish_figure(ax.figure, path, "training_history.png", "History.plot")
        return ax
