import { userInfo } from 'node:os';
import { actorName } from './operatorOptions.js';

describe('who acts', () => {
  it('is --by, else USER, else LOGNAME, else the operating-system account', () => {
    expect(actorName('carol', { USER: 'alice', LOGNAME: 'bob' })).toBe('carol');
    expect(actorName(undefined, { USER: 'alice', LOGNAME: 'bob' })).toBe('alice');
    expect(actorName(undefined, { USER: ' ', LOGNAME: 'bob' })).toBe('bob');
    expect(actorName(undefined, {})).toBe(userInfo().username);
  });
});
