//! Tiering: split units into tiers and tag their strongest and weakest pillars.
