# The IAM role of the chart's ServiceAccount (IRSA): exactly the DynamoDB actions the code sends, on
# the two tables and the outbox stream. test/deploy/terraform.test.ts derives the action list from
# the source (every `new XxxCommand(` of the DynamoDB SDKs and the item kinds inside transactions)
# and fails when this policy grants less or more.
#
# IAM has no TransactWriteItems action: a transaction is authorised item by item (Put → PutItem,
# Update → UpdateItem). CreateTable is not granted: only provision-cli with --create-tables creates
# tables, and in AWS Terraform owns them.

data "aws_iam_policy_document" "service_account_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_issuer_host}:sub"
      values   = ["system:serviceaccount:${var.k8s_namespace}:${var.k8s_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_issuer_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "service_account_dynamodb" {
  # Booking (booking/*): reads, the reserve/confirm/release transactions, seat provisioning, the
  # hold-request ledger (its answer deletes the pending item inside a transaction: DeleteItem);
  # the relay's DescribeTable finds the outbox stream.
  statement {
    sid = "Tables"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]
    resources = [
      module.dynamodb.inventory_table_arn,
      "${module.dynamodb.inventory_table_arn}/index/*",
      module.dynamodb.outbox_table_arn,
      "${module.dynamodb.outbox_table_arn}/index/*",
    ]
  }

  # The relay (workers/relay/dynamo-stream-relay.ts) reads the outbox stream. `stream/*` rather than
  # the current stream ARN: after a stream is re-enabled the relay still drains the old one.
  statement {
    sid = "OutboxStream"
    actions = [
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
    ]
    resources = ["${module.dynamodb.outbox_table_arn}/stream/*"]
  }

  # Every role's /readyz calls ListTables (lib/dynamo.ts dynamoCheck); IAM cannot scope ListTables to
  # a table, and it reveals table names only.
  statement {
    sid       = "ReadinessCheck"
    actions   = ["dynamodb:ListTables"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "service_account" {
  name               = "${var.name}-app"
  description        = "Corral pods (ServiceAccount ${var.k8s_namespace}/${var.k8s_service_account}): DynamoDB tables and stream"
  assume_role_policy = data.aws_iam_policy_document.service_account_assume.json
}

resource "aws_iam_role_policy" "service_account_dynamodb" {
  name   = "dynamodb"
  role   = aws_iam_role.service_account.id
  policy = data.aws_iam_policy_document.service_account_dynamodb.json
}
