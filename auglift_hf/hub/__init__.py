"""Hub packaging: model/dataset cards from templates, folder validation and upload."""

from ..utils.lazy import lazy_getattr

#: name -> submodule, imported on first access (keeps ``auglift <command> --help`` fast)
_LAZY = {
    "build_model_card": "cards",
    "load_eval_results": "cards",
    "render_dataset_card": "cards",
    "write_model_card": "cards",
    "ValidationReport": "push",
    "push_folder": "push",
    "validate_dataset_folder": "push",
    "validate_model_folder": "push",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


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
