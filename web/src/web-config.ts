// Where the other roles answer, as the api role tells the page in /config.json (read once).
import { requestJson } from './http';

export interface WebConfig {
  waitingRoomUrl: string;
  admissionUrl: string;
}

let loading: Promise<WebConfig> | undefined;

export function loadWebConfig(): Promise<WebConfig> {
  loading ??= requestJson<WebConfig>('/config.json').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
