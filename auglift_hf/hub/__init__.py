"""Hub packaging: model/dataset cards from templates, folder validation and upload."""

from .cards import build_model_card, load_eval_results, render_dataset_card, write_model_card
from .push import ValidationReport, push_folder, validate_dataset_folder, validate_model_folder

__all__ = [
    "ValidationReport",
    "build_model_card",
    "load_eval_results",
    "push_folder",
    "render_dataset_card",
    "validate_dataset_folder",
    "validate_model_folder",
    "write_model_card",
]
