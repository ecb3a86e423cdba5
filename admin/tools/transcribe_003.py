#!/usr/bin/env python3
"""Transcribes the technological cards No. 6-32 of seed 003 into catalogue files (kr-75-2024-NN.v1.json).

Run from the repository root: python3 admin/tools/transcribe_003.py ../shared/seeds/003_20490630bba5e4b0.txt
It writes only the cards not already in the catalogue (8, 13, 22 and 26 were transcribed by hand before and cases
pin them). Texts are the seed's, with only the table layout undone (seed003.py); what each stage allows, the
roles the officials map to and the outcome are decided here, card by card, from the stage wording.
"""
import json
import os
import re
import sys

import seed003

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'src', 'main', 'resources', 'catalogue')
DOCUMENT = ('Рішення виконкому Криворізької міської ради від 22.01.2024 №75, додаток 2: технологічні картки публічних '
            'послуг, що надаються департаментом соціальної політики через Центр адміністративних послуг «Віза» '
            '(«Центр Дії»)')
FOOTNOTE = ('*У разі неможливості ухвалення рішення у визначенний строк, його буде ухвалено на найближчому засіданні '
            'виконкому Криворізької міської ради.')
EXISTING = {8, 13, 22, 26}

# English titles (ours), the Ministry's split (order No. 45, annex 2) and who is paid.
CARDS = {
    6: ('Material aid and compensations to Honorary Citizens of Kryvyi Rih', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    7: ('Cash compensation of housing and utility services and motor fuel to citizens with special merits or special '
        'labour merits to the Motherland', 'SUBSIDIES', 'APPLICANT'),
    9: ('Partial compensation of heating, water supply and sewerage, building management or maintenance services to '
        'certain categories of residents', 'SUBSIDIES', 'PROVIDER'),
    10: ('One-off material aid to citizens entitled to a capital repair of their home and registered for it',
         'SOCIAL_ASSISTANCE', 'APPLICANT'),
    11: ('Material aid to residents for the funeral services of certain beneficiary categories', 'SOCIAL_ASSISTANCE',
         'APPLICANT'),
    12: ('Material aid to wheelchair users with disabilities for equipping their homes', 'SOCIAL_ASSISTANCE',
         'APPLICANT'),
    14: ('One-off material aid reimbursing a yearly return trip by road or rail to Chornobyl disaster victims of '
         'categories 1, 2', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    15: ('Monthly compensation of housing and utility costs to certain categories of residents', 'SUBSIDIES',
         'PROVIDER'),
    16: ('Material aid from the community budget to citizens aged 100 and over', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    17: ('One-off material aid to rehabilitated citizens', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    18: ('Material aid to persons disabled since childhood', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    19: ('Material aid to children with the status of a child affected by hostilities and armed conflicts',
         'SOCIAL_ASSISTANCE', 'APPLICANT'),
    20: ('Material aid to families at the birth of three or more children at once', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    21: ('Placement in the communal institutions «Home of Mercy «Zatyshok» and «Home of Mercy»', 'SOCIAL_ASSISTANCE',
         None),
    23: ('One-off material aid of certain kinds to war veterans and Chornobyl disaster victims', 'SOCIAL_ASSISTANCE',
         'APPLICANT'),
    24: ('Monthly material aid of certain kinds to war veterans and Chornobyl disaster victims', 'SOCIAL_ASSISTANCE',
         'APPLICANT'),
    25: ('Material aid for the burial of relatives', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    27: ('Material aid for significant medical treatment costs', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    28: ('One-off material aid on the death of a serviceman killed or deceased defending the Motherland',
         'SOCIAL_ASSISTANCE', 'APPLICANT'),
    29: ('Material aid for the funeral and related services of a serviceman killed or deceased defending the '
         'Motherland', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    30: ('Material aid of various kinds to beneficiary categories under the law on the status of war veterans, '
         'volunteer fighters and others', 'SOCIAL_ASSISTANCE', 'APPLICANT'),
    31: ('Monthly material aid to beneficiary categories under the law on the status of war veterans',
         'SOCIAL_ASSISTANCE', 'APPLICANT'),
    32: ('Material aid for making and installing gravestones of servicemen killed defending Ukraine',
         'SOCIAL_ASSISTANCE', 'APPLICANT'),
}

CITY_COMMITTEE = {'code': 'CITY_EXECUTIVE_COMMITTEE', 'titleUk': 'Засідання виконкому Криворізької міської ради',
                  'titleEn': 'Session of the Kryvyi Rih city executive committee'}
AID_COMMISSION = {'code': 'AID_COMMISSION',
                  'titleUk': 'Міська комісія з питань надання одноразової матеріальної допомоги мешканцям міста за '
                             'рахунок бюджетних коштів',
                  'titleEn': 'City commission for one-off material aid to residents from the budget'}
MERCY_COMMISSION = {'code': 'MERCY_HOMES_COMMISSION',
                    'titleUk': 'Постійно діюча комісія з питань приймання громадян на утримання до Комунальних установ '
                               '«Будинок милосердя «Затишок» Криворізької міської ради» та «Будинок милосердя» '
                               'Криворізької міської ради',
                    'titleEn': 'Standing commission admitting citizens to the communal Homes of Mercy'}

NUMBERS = {'одного': 1, 'одгого': 1, 'двох': 2, 'трьох': 3, 'п’яти': 5, 'дев’яти': 9, 'двадцяти': 20}


def words(text):
    """Every word the seed spells whole, to tell a line-break hyphen («письмо-вого») from a compound."""
    return set(re.findall(r'[А-Яа-яІіЇїЄєҐґ’\']+', text.lower()))


def unbreak(s, vocabulary):
    def join(m):
        joined = m.group(1) + m.group(2)
        if joined.lower() in vocabulary or ' ' in m.group(0) or '\n' in m.group(0) or len(m.group(2)) <= 3 \
                or m.group(1).lower() in ('відпо', 'побуто'):
            return joined
        return m.group(1) + '-' + m.group(2)
    prev = None
    while prev != s:
        prev = s
        s = re.sub(r'([А-Яа-яІіЇїЄєҐґ’\']+)-[ \n]*([а-яіїєґ’\']+)', join, s)
    return s


def clean(s, vocabulary):
    s = re.sub(r'\[bookmark:[^\]]*\]', '', s)
    s = unbreak(s, vocabulary)
    return re.sub(r'\s+', ' ', s).strip()


def deadline(text):
    t = text.strip()
    if t == '':
        return {'kind': 'NONE', 'textUk': ''}
    if t.startswith('У момент звернення'):
        return {'kind': 'AT_APPLICATION', 'textUk': t}
    if t.startswith('Не пізніше наступного'):
        return {'kind': 'NEXT_WORKING_DAY', 'textUk': t}
    if t.startswith('У день звернення'):
        return {'kind': 'ON_APPLICANT_VISIT', 'textUk': t}
    m = re.match(r'До (п’яти) робочих днів після ухвалення', t)
    if m:
        return {'kind': 'AFTER_COMMITTEE', 'days': NUMBERS[m.group(1)], 'textUk': t}
    if t.startswith('Після ухвалення'):
        return {'kind': 'AFTER_COMMITTEE', 'textUk': t}
    m = re.match(r'(?:До|Протягом)\s+(\d+|\S+)\s+(календарних|робочих|робочого|ро бочого|ро-)', t)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1)]
        kind = 'CALENDAR_DAYS' if m.group(2).startswith('календар') else 'WORKING_DAYS'
        return {'kind': kind, 'days': n, 'textUk': t}
    raise ValueError('deadline not understood: ' + t)


def roles_of(official, body):
    o = official.lower()
    squeezed = o.replace(' ', '')
    roles = []
    if 'адміністратор' in o:
        roles.append('CENTER_ADMIN')
    if 'районногоуправління' in squeezed or 'районнеуправління' in squeezed or 'управлінняпраці' in squeezed \
            or ('зазначеною категорією' in o and 'районне' in body.lower()):
        roles.append('DISTRICT_SPECIALIST')
    if 'департамент' in o or 'члени комісії' in o:
        roles.append('DEPARTMENT_SPECIALIST')
    if not roles:
        raise ValueError('official not understood: ' + official)
    return roles


def bodies_of(body, roles):
    b = body.lower()
    out = []
    if 'центр' in b or 'цетр' in b:
        out.append('CENTER')
    if 'районне' in b:
        out.append('DISTRICT')
    if 'департамент' in b:
        out.append('DEPARTMENT')
    role_body = {'CENTER_ADMIN': 'CENTER', 'DISTRICT_SPECIALIST': 'DISTRICT', 'DEPARTMENT_SPECIALIST': 'DEPARTMENT'}
    for r in roles:
        if role_body[r] not in out:
            out.append(role_body[r])
    return out


def kind_of(title):
    t = title
    if t.startswith('Інформування'):
        return 'INFO'
    if t.startswith('Прийом і реєстрація'):
        return 'REGISTER'
    if t.startswith('Перевірка'):
        return 'CHECK'
    if t.startswith('Надсилання письмов'):
        return 'NOTICE'
    if t.startswith('За потреби підготовка відмови') or t.startswith('Передача відмови') or \
            t.startswith('Видача відмови') or t.startswith('У разі відмови'):
        return 'REFUSAL'
    if t.startswith('Розгляд заяви'):
        return 'EXAMINE'
    if t.startswith('Підготовка проєкту рішення'):
        return 'CITY_COMMITTEE'
    if 'на засіданні міської комісії' in t:
        return 'AID_COMMISSION'
    if t.startswith('Розгляд особової справи на засіданні'):
        return 'MERCY_COMMISSION'
    if t.startswith('Перерахування') or t.startswith('Підготовка пропозиції на фінансування'):
        return 'PAY'
    if t.startswith('Оформлення на утримання'):
        return 'ISSUE'
    return 'STEP'


def transcribe(no, text, vocabulary):
    title_en, category, payee = CARDS[no]
    raw_title, raw_term = seed003.header(text)
    title = clean(raw_title, vocabulary)
    rows = [[clean(c, vocabulary) for c in r] for r in seed003.rows(text)]
    # the term: one line per body, or one line for the department
    terms = []
    term_text = clean(raw_term, vocabulary)
    for m in re.finditer(r'до (\d+) календарних днів(?:\*)?\.?( – [^;]*?(?:рад\*?|ради\*?)(?=[;.]|$))?', term_text):
        days = int(m.group(1))
        said = m.group(0).rstrip('.').strip()
        body = 'DISTRICT' if 'районних' in said else 'DEPARTMENT'
        terms.append({'body': body, 'kind': 'CALENDAR_DAYS', 'days': days, 'textUk': said})
    if not terms:
        raise ValueError('term not understood for %d: %s' % (no, term_text))
    note = FOOTNOTE if FOOTNOTE.replace('*', '') in clean(text, vocabulary) else ''

    stages = []
    kinds = []
    for r in rows:
        stage_no = r[0].split()[0]
        kinds.append(kind_of(r[1]))
    register_bodies = None
    seen_committee = False
    for i, r in enumerate(rows):
        stage_no = r[0].split()[0]
        stage_title = r[1]
        if r[0] != stage_no:  # sub-rows (10.1, 10.2): keep their labels in the text
            stage_title = stage_title.replace(': персоналізованою', ': 10.1 персоналізованою') \
                .replace('; актом', '; 10.2 актом').replace('територіальної громади актом',
                                                           'територіальної громади 10.2 актом')
        roles = roles_of(r[2], r[3])
        bodies = bodies_of(r[3], roles)
        dl = deadline(r[4])
        kind = kinds[i]
        stage = {'no': stage_no}
        following_refusal = []
        j = i + 1
        while j < len(rows) and kinds[j] == 'REFUSAL':
            following_refusal.append(rows[j][0].split()[0])
            j += 1
        actions = []
        path = 'MAIN'
        committee = None
        if kind == 'INFO':
            path = 'INFO'
        elif kind == 'REGISTER':
            actions = [{'action': 'REGISTER'}]
            register_bodies = bodies
        elif kind == 'CHECK':
            notice = [rows[i + 1][0]] if i + 1 < len(rows) and kinds[i + 1] == 'NOTICE' else []
            actions = [{'action': 'ADVANCE'}, {'action': 'SUSPEND', 'path': notice}]
        elif kind == 'NOTICE':
            path = 'SUSPENSION'
        elif kind == 'REFUSAL':
            path = 'REFUSAL'
            actions = [{'action': 'ADVANCE'}]
        elif kind == 'EXAMINE':
            actions = [{'action': 'ADVANCE'}]
            if following_refusal:
                actions.append({'action': 'REFUSE', 'path': following_refusal})
            if 'підготовка проєкту рішення виконкому' in stage_title:
                # No. 6: the department examines and drafts the committee's decision in one stage
                actions = [{'action': 'COMMITTEE_DECISION', 'path': following_refusal},
                           {'action': 'REFUSE', 'path': following_refusal}]
                committee = CITY_COMMITTEE
        elif kind == 'CITY_COMMITTEE':
            actions = [{'action': 'COMMITTEE_DECISION'}]
            committee = CITY_COMMITTEE
            if 'або повідомлення про відмову' in stage_title:
                actions = [{'action': 'COMMITTEE_DECISION'}, {'action': 'REFUSE'}]
        elif kind == 'AID_COMMISSION':
            actions = [{'action': 'COMMITTEE_DECISION', 'path': following_refusal}]
            committee = AID_COMMISSION
        elif kind == 'MERCY_COMMISSION':
            actions = [{'action': 'COMMITTEE_DECISION', 'path': following_refusal}]
            committee = MERCY_COMMISSION
        elif kind == 'PAY':
            actions = [{'action': 'PAY'}]
        elif kind == 'ISSUE':
            actions = [{'action': 'ISSUE'}]
        else:
            actions = [{'action': 'ADVANCE'}]
        if committee:
            seen_committee = True
        if dl['kind'] == 'AFTER_COMMITTEE' and not seen_committee:
            raise ValueError('%d stage %s: after a committee that never sat' % (no, stage_no))
        stage['path'] = path
        if register_bodies and len(register_bodies) > 1 and 'з відміткою про реєстрацію в Центрі' in stage_title:
            stage['onlyIfIntakeAt'] = 'CENTER'
        stage.update({'titleUk': stage_title, 'titleEn': en_stage(stage_title, kind), 'officialUk': r[2],
                      'bodyUk': r[3], 'roles': sorted(set(roles)), 'bodies': bodies, 'deadline': dl,
                      'actions': actions})
        if committee:
            stage['committee'] = committee
        stages.append(stage)

    pay_stage = [s for s in stages if any(a['action'] in ('PAY', 'ISSUE') for a in s['actions'])][0]
    refusal_stages = [s['no'] for s in stages if s['path'] == 'REFUSAL']
    refusal_words = ('етапи ' + refusal_stages[0] + '–' + refusal_stages[-1]) if len(refusal_stages) > 1 else \
        ('етап ' + refusal_stages[0]) if refusal_stages else 'рішення виконкому'
    result_uk = '%s (етап %s); відмова заявнику із зазначенням шляхів її оскарження (%s)' % (
        pay_stage['titleUk'], pay_stage['no'], refusal_words)
    if payee:
        outcome = {'type': 'PAYMENT', 'payee': payee,
                   'fundingSource': 'CITY_BUDGET'}
        result_en = ('The granted compensation transferred to the service provider' if payee == 'PROVIDER' else
                     'The granted aid transferred to the applicant') + ', or a refusal stating the route of appeal'
    else:
        outcome = {'type': 'RECORD_ONLY'}
        result_en = 'Placement in one of the Homes of Mercy, or a refusal stating the route of appeal'
    return {
        'code': str(no),
        'version': 1,
        'effectiveFrom': '2024-01-22',
        'source': {'seed': '003_20490630bba5e4b0.txt', 'documentUk': DOCUMENT,
                   'cardUk': 'Технологічна картка публічної послуги № %d' % no},
        'titleUk': title,
        'titleEn': title_en,
        'ministryCategory': category,
        'defaultTermBody': 'DEPARTMENT',
        'terms': terms,
        'termNoteUk': note,
        'documentsGiven': False,
        'documents': [],
        'suspensionGrounds': [],
        'refusalGrounds': [],
        'closingGrounds': [],
        'seedGaps': [
            'documents: the seed (technological cards only) gives no document list',
            'suspensionGrounds, refusalGrounds, closingGrounds: the seed gives no grounds lists; grounds are stated '
            'in words on each case',
            'result: the seed has no result field; the result is assembled from the stages that produce it',
            'amount: the seed gives no amount; it is the one the decision grants, entered when the payment is ordered',
        ],
        'result': {'textUk': result_uk, 'textEn': result_en},
        'outcome': outcome,
        'stages': stages,
    }


STAGE_EN = {
    'INFO': 'Informing about the kinds of services, the list of documents etc.',
    'REGISTER': 'Receiving and registering the application and documents, telling the applicant the expected term, '
                'forming the case',
    'CHECK': 'Checking the documents; if needed, a written notice leaving the application without motion and '
             'extending the term',
    'NOTICE': 'Sending the written notice of leaving the application without motion to the Center',
    'EXAMINE': 'Examining the application and completing the documents',
    'CITY_COMMITTEE': 'Preparing the draft decision of the city executive committee',
    'AID_COMMISSION': 'Examination at the city aid commission and its protocol',
    'MERCY_COMMISSION': 'Examination at the standing commission of the Homes of Mercy and its decision',
    'PAY': 'Transferring the granted funds',
    'ISSUE': 'Placement in one of the Homes of Mercy',
}


def en_stage(title, kind):
    if kind == 'REFUSAL':
        if title.startswith('Передача відмови'):
            return 'Passing the refusal to the Center'
        if title.startswith('Видача відмови'):
            return 'Handing the refusal to the applicant'
        if title.startswith('У разі відмови'):
            return 'Sending the notice of refusal after the commission, stating the route of appeal'
        return 'If needed, preparing the refusal, stating the route of appeal'
    if kind == 'STEP':
        if title.startswith('Передача заяви'):
            return 'Passing the application and documents on'
        if title.startswith('Направлення'):
            return 'Sending the application, documents and list of entitled persons to the social policy department'
        if title.startswith('Включення'):
            return 'Adding the applicant to the list of persons entitled to the aid'
        if title.startswith('Доповнення'):
            return 'Completing the documents: the register extract of persons at the address, the living conditions ' \
                   'inspection report'
        return 'Processing step'
    return STAGE_EN[kind]


def main():
    seed = open(sys.argv[1], encoding='utf-8').read()
    vocabulary = words(seed)
    written = []
    for no, text in seed003.cards(seed).items():
        if no in EXISTING:
            continue
        card = transcribe(no, text, vocabulary)
        name = 'kr-75-2024-%02d.v1.json' % no
        with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
            json.dump(card, f, ensure_ascii=False, indent=2)
            f.write('\n')
        written.append(name)
    print('\n'.join(written))


if __name__ == '__main__':
    main()
