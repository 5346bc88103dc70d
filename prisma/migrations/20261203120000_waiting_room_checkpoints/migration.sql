-- CreateTable
CREATE TABLE `waiting_room_checkpoints` (
    `event_id` VARCHAR(128) NOT NULL,
    `state` VARCHAR(16) NOT NULL,
    `admission_rate_per_minute` INTEGER NOT NULL,
    `max_active_shoppers` INTEGER NOT NULL,
    `pass_ttl_seconds` INTEGER NOT NULL,
    `claim_window_seconds` INTEGER NOT NULL,
    `opens_at_ms` BIGINT NOT NULL,
    `fairness_seed` VARCHAR(128) NOT NULL,
    `fairness_commitment` VARCHAR(128) NOT NULL,
    `fairness_first_number` INTEGER NULL,
    `serving` BIGINT NOT NULL DEFAULT 0,
    `issued` BIGINT NOT NULL DEFAULT 0,
    `issued_per_checkpoint` BIGINT NOT NULL DEFAULT 0,
    `admitted_capacity` TEXT NOT NULL,
    `checkpointed_at_ms` BIGINT NOT NULL DEFAULT 0,
    `updated_at` DATETIME(3) NOT NULL,

    INDEX `waiting_room_checkpoints_state_checkpointed_at_ms_idx`(`state`, `checkpointed_at_ms`),
    PRIMARY KEY (`event_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
