#!/usr/bin/python3
"""Seeds the test stack's Keystone through its v3 REST API. Idempotent: creates what is missing.

Standard library only, so it starts in milliseconds (keystone-manage costs ~2 s of imports per call).
Run by up.sh as root with Debian's /usr/bin/python3; the passwords come from the JSON file given as
the only argument (0600 in the state dir), never from argv. Progress goes to stderr.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

KEYSTONE = 'http://127.0.0.1:5000/v3'
SWIFT_URL = 'http://127.0.0.1:8080/v1/AUTH_%(project_id)s'
REGION = 'RegionOne'
INTERFACES = ('public', 'internal', 'admin')


def say(msg):
    print('[stack] seed: ' + msg, file=sys.stderr)


class Keystone:
    def __init__(self):
        self.token = None

    def call(self, method, path, body=None, ok=(200, 201, 204)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(KEYSTONE + path, data=data, method=method)
        req.add_header('Accept', 'application/json')
        if data is not None:
            req.add_header('Content-Type', 'application/json')
        if self.token:
            req.add_header('X-Auth-Token', self.token)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                status, headers = resp.status, resp.headers
        except urllib.error.HTTPError as e:
            detail = e.read()[:400].decode('utf-8', 'replace')
            sys.exit(f'[stack] seed: {method} {path} -> HTTP {e.code}: {detail}')
        if status not in ok:
            sys.exit(f'[stack] seed: {method} {path} -> unexpected HTTP {status}')
        return headers, (json.loads(raw) if raw else None)

    def login(self, password):
        headers, _ = self.call('POST', '/auth/tokens', {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': 'admin', 'domain': {'id': 'default'}, 'password': password}}},
            'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}})
        self.token = headers['X-Subject-Token']

    def find(self, collection, **filters):
        _, body = self.call('GET', f'/{collection}?' + urllib.parse.urlencode(filters))
        items = body[collection]
        return items[0] if items else None

    def ensure(self, collection, key, filters, create):
        found = self.find(collection, **filters)
        if found:
            return found
        _, body = self.call('POST', f'/{collection}', {key: create})
        say(f'created {key} {create.get("name") or create.get("url")}')
        return body[key]


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        passwords = json.load(f)
    ks = Keystone()
    ks.login(passwords['admin'])

    default = ks.ensure('domains', 'domain', {'name': 'Default'}, {'name': 'Default'})['id']
    ops = ks.ensure('domains', 'domain', {'name': 'ops'},
                    {'name': 'ops', 'description': 'dupliswift test domain (non-Default)'})['id']

    def project(name, domain):
        return ks.ensure('projects', 'project', {'name': name, 'domain_id': domain},
                         {'name': name, 'domain_id': domain})['id']

    def role(name):
        return ks.ensure('roles', 'role', {'name': name}, {'name': name})['id']

    def user(name, domain, password):
        return ks.ensure('users', 'user', {'name': name, 'domain_id': domain},
                         {'name': name, 'domain_id': domain, 'password': password,
                          'enabled': True})['id']

    def grant(user_id, project_id, role_id):
        ks.call('PUT', f'/projects/{project_id}/users/{user_id}/roles/{role_id}')

    member, service_role = role('member'), role('service')
    role('admin')
    role('reader')

    demo = user('demo', default, passwords['demo'])
    for name in ('backup-a', 'backup-b'):
        grant(demo, project(name, default), member)
    grant(user('opsuser', ops, passwords['opsuser']), project('ops-project', ops), member)
    grant(user('swift', default, passwords['swift']), project('service', default), service_role)

    _, regions = ks.call('GET', '/regions')
    if not any(r['id'] == REGION for r in regions['regions']):
        ks.call('POST', '/regions', {'region': {'id': REGION}})
        say(f'created region {REGION}')
    catalog = (('keystone', 'identity', KEYSTONE), ('swift', 'object-store', SWIFT_URL))
    for name, stype, url in catalog:
        service = ks.ensure('services', 'service', {'type': stype},
                            {'name': name, 'type': stype, 'enabled': True})['id']
        for interface in INTERFACES:
            ep = ks.find('endpoints', service_id=service, interface=interface)
            if ep is None:
                ks.call('POST', '/endpoints', {'endpoint': {
                    'service_id': service, 'interface': interface, 'region_id': REGION,
                    'url': url, 'enabled': True}})
                say(f'created {stype} {interface} endpoint')
            elif ep['url'] != url or ep.get('region_id') != REGION:
                ks.call('PATCH', f'/endpoints/{ep["id"]}', {'endpoint': {
                    'url': url, 'region_id': REGION}})
                say(f'fixed {stype} {interface} endpoint')
    say('done')


if __name__ == '__main__':
    main()
