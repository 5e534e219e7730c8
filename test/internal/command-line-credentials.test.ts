import { _commandLineCredential, _isCredentialName } from '../../lib/internal/credentials';

describe('credentials on a command line', () => {
  describe('refuses', () => {
    test.each([
      [['redis-server', '--requirepass', 'hunter2'], 2, '--requirepass'],
      [['app', '--password', 'correct-horse'], 2, '--password'],
      [['app', '--db-password=s3cret'], 1, '--db-password'],
      [['app', '--token', 'abc'], 2, '--token'],
      [['app', '--api-key', 'k-123'], 2, '--api-key'],
      [['app', '--client-secret=xyz'], 1, '--client-secret'],
      [['mysql', '-u', 'root', '-p', 'Passw0rd'], 4, '-p'],
      [['java', '-Ddb.password=changeit', '-jar', 'app.jar'], 1, '-Ddb.password'],
    ])('%j: the value of a credential flag', (words, index, flag) => {
      // a flag=value of a well-known credential name is already a password assignment
      expect(_commandLineCredential(words)).toEqual({ index, kind: expect.stringMatching(new RegExp(`^(a credential as the value of '${flag}'|a password, secret or token assignment)$`)) });
    });

    test.each([
      [['sh', '-c', 'PGPASSWORD=x psql -h db'], 2, 'PGPASSWORD'],
      [['sh', '-c', 'export DB_PASS=hunter2; ./run'], 2, 'DB_PASS'],
      [['env', 'MYSQL_PWD=root', 'mysqld'], 1, 'MYSQL_PWD'],
      [['sh', '-c', "AUTH_TOKEN='abc' ./client"], 2, 'AUTH_TOKEN'],
    ])('%j: an assignment to a credential name', (words, index, name) => {
      expect(_commandLineCredential(words)).toEqual({ index, kind: `a credential assigned to '${name}'` });
    });

    test('a credential flag inside a shell script', () => {
      expect(_commandLineCredential(['sh', '-c', "redis-server --requirepass 'hunter2' --port 6379"]))
        .toEqual({ index: 2, kind: 'a credential as the value of \'--requirepass\'' });
    });

    test.each(['DB_PASS', 'MYSQL_PWD', 'SMTP_PASSWD', 'REDIS_PW', 'GH_TKN', 'ldap.pass', 'DB_PASSWORD', 'API_TOKEN', 'AWS_SECRET_KEY'])('the name %s', name => {
      expect(_isCredentialName(name)).toBe(true);
    });
  });

  describe('accepts', () => {
    test.each([
      [['app', '--password-file', '/run/secrets/db/password']],
      [['app', '--password', '$(DB_PASSWORD)']],
      [['app', '--token=$(API_TOKEN)']],
      [['sh', '-c', 'PGPASSWORD="$DB_PASSWORD" psql -h db']],
      [['sh', '-c', 'DB_PASSWORD_FILE=/run/secrets/db ./run']],
      [['app', '--no-password', 'check']],
      [['app', '--token-ttl', '3600']],
      [['psql', '-h', 'db', '-p', '5432']],
      [['mkdir', '-p', '/data/cache']],
      [['sh', '-c', 'mkdir -p cache && exec ./run']],
      [['app', '--private-key', '/etc/tls/tls.key']],
      [['curl', '--password', '@/run/secrets/pw']],
      [['app', '--password']],
      [['app', '--password', '--verbose']],
    ])('%j', words => {
      expect(_commandLineCredential(words)).toBeUndefined();
    });

    test.each(['PWD', 'BYPASS_CACHE', 'COMPASS_URL', 'PASSENGER_COUNT', 'TOKENIZER', 'PASSWORD_FILE'])('the name %s as a name, not a credential, where it is not one', name => {
      // PASSWORD_FILE still reads as a credential's name to Polaris, for environment variables
      expect(_isCredentialName(name)).toBe(name === 'PASSWORD_FILE' || name === 'TOKENIZER');
    });
  });
});
