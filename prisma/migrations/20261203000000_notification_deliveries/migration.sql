-- CreateTable
CREATE TABLE `notification_deliveries` (
    `message_id` VARCHAR(200) NOT NULL,
    `topic` VARCHAR(120) NOT NULL,
    `event_id` VARCHAR(128) NOT NULL,
    `fan_id` VARCHAR(200) NOT NULL,
    `state` VARCHAR(16) NOT NULL,
    `claim_token` CHAR(36) NOT NULL,
    `claimed_until` DATETIME(3) NOT NULL,
    `attempts` INTEGER NOT NULL DEFAULT 0,
    `recipient` VARCHAR(320) NULL,
    `smtp_message_id` VARCHAR(255) NULL,
    `reason` VARCHAR(255) NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `finished_at` DATETIME(3) NULL,

    INDEX `notification_deliveries_state_claimed_until_idx`(`state`, `claimed_until`),
    PRIMARY KEY (`message_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
