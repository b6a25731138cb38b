from auglift_hf.models import MotionBERTConfig, PoseFormerConfig, SimpleBaselineConfig, TCNConfig, input_frames


def test_input_frames_from_config_objects_and_dicts():
    tcn = TCNConfig(filter_widths=[3, 3, 3], channels=16)
    poseformer = PoseFormerConfig(num_frames=9, embed_dim_ratio=8, depth=1, num_heads=2)
    single = SimpleBaselineConfig(hidden_size=16)
    motionbert = MotionBERTConfig(num_frames=27, dim_feat=8, dim_rep=8, depth=1, num_heads=2)
    assert input_frames(tcn) == 27 and input_frames(poseformer) == 9 and input_frames(single) == 1
    assert input_frames(motionbert) == 27
    # config.json dicts (what the Hub cards read) give the same answer; a TCN dict has no receptive_field key.
    for config in (tcn, poseformer, single, motionbert):
        assert input_frames(config.to_dict()) == input_frames(config)
    assert input_frames({"filter_widths": [3, 3, 3, 3]}) == 81
