import { streamsEndpointFor } from './dynamo.js';

describe('streamsEndpointFor', () => {
  it('moves an AWS regional endpoint to its Streams host', () => {
    expect(streamsEndpointFor('https://dynamodb.eu-west-1.amazonaws.com')).toBe('https://streams.dynamodb.eu-west-1.amazonaws.com');
    expect(streamsEndpointFor('https://dynamodb.cn-north-1.amazonaws.com.cn')).toBe('https://streams.dynamodb.cn-north-1.amazonaws.com.cn');
    expect(streamsEndpointFor('https://dynamodb-fips.us-east-1.amazonaws.com')).toBe('https://streams.dynamodb-fips.us-east-1.amazonaws.com');
  });

  it('keeps a local server or a proxy, which answers both APIs on one address', () => {
    expect(streamsEndpointFor('http://127.0.0.1:8010')).toBe('http://127.0.0.1:8010');
    expect(streamsEndpointFor('http://dynamodb-local:8000/')).toBe('http://dynamodb-local:8000');
    expect(streamsEndpointFor('https://vpce-123.dynamodb.us-east-1.vpce.amazonaws.com')).toBe('https://vpce-123.dynamodb.us-east-1.vpce.amazonaws.com');
  });
});
