import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originateCommand, parseMakecallRequest } from './index';

const agents = /^\d{2,6}$/;

describe('makecall request validation', () => {
  it('accepts an extension and normalises a decorated number', () => {
    expect(parseMakecallRequest('101', '+7 (999) 123-45.67', agents)).toEqual({ ok: true, extension: '101', number: '+79991234567' });
  });

  it.each([
    ['first', undefined, '79991234567'],
    ['first', 'abc', '79991234567'],
    ['first', '1', '79991234567'],
    ['first', '101\n', '79991234567'],
    ['first', ['101', '102'], '79991234567'],
    ['first', '١٠١', '79991234567'],
    ['second', '101', '12'],
    ['second', '101', '7999\napi system reboot'],
    ['second', '101', '+7999${sip_contact}'],
    ['second', '101', '++79991234567'],
    ['second', '101', '7'.repeat(21)],
    ['second', '101', ['7999', '8888']],
    ['second', '101', ''],
  ])('refuses a bad %s parameter (%j, %j)', (parameter, first, second) => {
    const result = parseMakecallRequest(first, second, agents);
    expect(result).toMatchObject({ ok: false, parameter });
  });

  it('builds the default originate: agent phone first, then the number through the dialplan context', () => {
    expect(originateCommand({ callId: 'c-1', extension: '101', number: '+79991234567', domain: 'pbx.example.com' }, 'default')).toBe(
      'originate {origination_uuid=c-1,cc360_call_id=c-1,cc360_direction=outgoing,cc360_agent=101,cc360_client=+79991234567,' +
        'origination_caller_id_number=+79991234567,origination_caller_id_name=+79991234567,export_vars=cc360_call_id}' +
        'user/101@pbx.example.com +79991234567 XML default',
    );
  });

  it('fills a MAKECALL_DIAL_STRING template', () => {
    const command = originateCommand(
      { callId: 'c-2', extension: '102', number: '79991234567', domain: 'pbx' },
      'default',
      '{vars}user/{extension}@{domain} &bridge(sofia/gateway/carrier/{number})',
    );
    expect(command).toMatch(/^originate \{origination_uuid=c-2,.*\}user\/102@pbx &bridge\(sofia\/gateway\/carrier\/79991234567\)$/);
  });

  it('never lets anything but digits and one leading + through (fuzz)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[0-9+\s\-.()\n\r%{}$&"']{0,30}$/)), fc.oneof(fc.string(), fc.stringMatching(/^[0-9\n\r]{0,8}$/)), (second, first) => {
        const result = parseMakecallRequest(first, second, agents);
        if (!result.ok) return;
        expect(result.extension).toMatch(/^[0-9]{2,6}$/);
        expect(result.number).toMatch(/^\+?[0-9]{3,20}$/);
      }),
      { numRuns: 5_000 },
    );
  });
});
