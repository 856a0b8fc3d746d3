import { tendersToAuthorizeNow, type SagaTender } from './saga';

const card = (status: SagaTender['status'], id = 'card'): SagaTender => ({
  id,
  status,
  immediateDebit: false,
});
const gift = (status: SagaTender['status'], id = 'gift'): SagaTender => ({
  id,
  status,
  immediateDebit: true,
});

describe('tendersToAuthorizeNow', () => {
  it('sends holds first and keeps debits back', () => {
    expect(tendersToAuthorizeNow([gift('PENDING'), card('PENDING')])).toEqual(['card']);
  });

  it('sends all holds at once', () => {
    expect(tendersToAuthorizeNow([card('PENDING', 'a'), card('PENDING', 'b'), gift('PENDING')])).toEqual([
      'a',
      'b',
    ]);
  });

  it('sends debits once every hold is authorized', () => {
    expect(tendersToAuthorizeNow([gift('PENDING'), card('AUTHORIZED')])).toEqual(['gift']);
    expect(tendersToAuthorizeNow([gift('PENDING'), card('AUTHORIZED', 'a'), card('UNKNOWN', 'b')])).toEqual(
      [],
    );
  });

  it('waits for a hosted page or a fraud review before debiting', () => {
    expect(tendersToAuthorizeNow([gift('PENDING'), card('REQUIRES_ACTION')])).toEqual([]);
    expect(tendersToAuthorizeNow([gift('PENDING'), card('PENDING_FRAUD_APPROVAL')])).toEqual([]);
  });

  it('sends debits at once when there is no hold', () => {
    expect(tendersToAuthorizeNow([gift('PENDING', 'a'), gift('PENDING', 'b')])).toEqual(['a', 'b']);
  });

  it('sends nothing more once a tender failed', () => {
    expect(tendersToAuthorizeNow([gift('PENDING'), card('REFUSED')])).toEqual([]);
    expect(tendersToAuthorizeNow([card('PENDING', 'a'), card('FAILED', 'b')])).toEqual([]);
  });

  it('does not resend tenders already in flight', () => {
    expect(tendersToAuthorizeNow([card('UNKNOWN'), gift('PENDING')])).toEqual([]);
  });
});
