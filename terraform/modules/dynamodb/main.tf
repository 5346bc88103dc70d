# The two tables of tableDefinitions() in lib/dynamo.ts: inventory (seats, holds, bookings and per-fan
# counters, spread over many partition keys per event: decision 0010) and outbox (one item per booking event, read by the relay through its
# stream). Keys, attribute types and the stream view type must stay equal to the code's;
# test/deploy/terraform.test.ts compares them.

resource "aws_dynamodb_table" "inventory" {
  name                        = "${var.table_prefix}inventory"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  # A sale's first second cannot wait for DynamoDB to split partitions: the table is kept warm for
  # the peak npm run capacity measures (docs/runbook.md says when to raise it).
  warm_throughput {
    read_units_per_second  = var.inventory_warm_throughput.read_units_per_second
    write_units_per_second = var.inventory_warm_throughput.write_units_per_second
  }

  # Garbage collection only (DESIGN §4): holds expire by condition on heldUntil, never by TTL.
  ttl {
    attribute_name = var.ttl_attribute
    enabled        = true
  }
}

resource "aws_dynamodb_table" "outbox" {
  name                        = "${var.table_prefix}outbox"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  # The relay reads NEW_IMAGE records and skips REMOVE ones, so TTL deletions never reach Kafka.
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  point_in_time_recovery {
    enabled = true
  }

  ttl {
    attribute_name = var.ttl_attribute
    enabled        = true
  }
}
