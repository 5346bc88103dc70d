// Reads why DynamoDB refused a write: a failed condition is a final answer (the seat is taken), a
// conflict or throttle is worth a bounded retry. The one place that decides which is which.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { withRetry } from '../lib/retry.js';
import { bookingMetrics } from './booking-metrics.js';

const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const RETRYABLE_ERRORS = new Set([
  'TransactionConflictException',
  'TransactionInProgressException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

/** Indexes of the transaction items whose condition failed, or undefined when none did. */
export function failedConditionIndexes(error: unknown): number[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const indexes = (error.CancellationReasons ?? []).flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
  return indexes.length > 0 ? indexes : undefined;
}

/** The item as it was when its condition failed (ReturnValuesOnConditionCheckFailure: ALL_OLD), or
 * undefined when the item did not exist, its condition passed, or the server sent no item. */
export function failedConditionItem<T>(error: unknown, index: number): T | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reason = error.CancellationReasons?.[index];
  if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return undefined;
  return unmarshall(reason.Item as Parameters<typeof unmarshall>[0]) as T;
}

export function isRetryableDynamoError(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    if (failedConditionIndexes(error)) return false;
    return (error.CancellationReasons ?? []).some((reason) => RETRYABLE_REASONS.has(reason.Code ?? ''));
  }
  const name = (error as { name?: string } | null)?.name ?? '';
  return RETRYABLE_ERRORS.has(name);
}

function retryReason(error: unknown): string {
  if (error instanceof TransactionCanceledException) return error.CancellationReasons?.find((reason) => RETRYABLE_REASONS.has(reason.Code ?? ''))?.Code ?? 'TransactionCanceled';
  return (error as { name?: string }).name ?? 'unknown';
}

/** Runs one DynamoDB write with the booking retry policy (conflicts and throttles only). */
export function withDynamoRetry<T>(operation: () => Promise<T>, attempts = 6): Promise<T> {
  return withRetry(operation, {
    attempts,
    baseDelayMs: 15,
    maxDelayMs: 400,
    isRetryable: isRetryableDynamoError,
    onRetry: (error) => bookingMetrics().transactionConflicts.inc({ reason: retryReason(error) }),
  });
}
