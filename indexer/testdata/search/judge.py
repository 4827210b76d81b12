# judge.py writes judged.json: the judged query set of TestQuality. Each
# query's relevant records are chosen by rules over the shipped records'
# names, descriptions and tags (see g_name_tag), never from the engine's
# answers. Run from anywhere: python3 indexer/testdata/search/judge.py
import json, gzip, re, math, os, unicodedata, sys
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
recs=[]
for f in ['meeting-guide','san-mateo-ohana']:
    for l in gzip.open(os.path.join(ROOT, 'data', 'records', f + '.jsonl.gz'),'rt'):
        recs.append(json.loads(l))
def fold(s):
    s=unicodedata.normalize('NFD',s or '')
    return ''.join(c for c in s if unicodedata.category(c)!='Mn').lower()
for r in recs:
    r['_name']=fold(r['name']+' '+(r.get('alternate_name') or ''))
    r['_org']=fold(r['organization']['name'])
    r['_desc']=fold(r.get('description',''))
    r['_all']=r['_name']+' '+r['_org']+' '+r['_desc']+' '+fold((r.get('meeting') or {}).get('group',''))
    r['_pts']=[(l['latitude'],l['longitude']) for l in r.get('locations',[]) if l.get('latitude') is not None]
PLACES={'95112':(37.3446,-121.8834),'19103':(39.9534,-75.1742),'San Francisco, CA':(37.7558,-122.4449),
 'Santa Ana, CA':(33.7367,-117.8819),'San Mateo, CA':(37.5522,-122.3121),'Orange County CA':(33.7367,-117.8819)}
def km(a,b):
    la1,lo1=map(math.radians,a); la2,lo2=map(math.radians,b)
    h=math.sin((la2-la1)/2)**2+math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 6371*2*math.asin(math.sqrt(h))
def has(r,facet,v):
    key={'cat':'categories','cond':'conditions','pop':'populations','lang':'languages','att':'attendance'}[facet]
    return v in (r.get(key) or [])
def rx(field,pat): return lambda r: re.search(pat, r[field]) is not None
Q=[]
def q(text, grade, near=None, radius_km=40.2, note='', filters=None, cap=400):
    Q.append(dict(q=text,near=near,radius_km=radius_km if near else 0,filters=filters or {},grade=grade,note=note,cap=cap))

N=lambda p: re.compile(p)
def g_name_tag(namepat, tag=None, descpat=None):
    def g(r):
        if re.search(r'\b(?:'+namepat+')', r['_name']+' '+r['_org']): return 3
        if descpat and re.search(r'\b(?:'+descpat+')', r['_desc']): return 2
        if tag and has(r,*tag): return 1
        return 0
    return g
# --- grief / loss
grief=g_name_tag(r'grief|bereave|widow|living with dying|hospice|compassionate friends|neonatal death|murdered', ('cond','grief'), r'grief|bereave')
q('grief support group', grief, note='grief groups: bereavement centers first')
q('grief grup', grief, note='misspelled and prefix')
q('greif counseling', grief, note='transposed letters')
q('bereavement', grief)
q('duelo', grief, note='Spanish: grief')
q('grupo de duelo', grief, note='Spanish')
q('widow', g_name_tag(r'widow', ('cond','grief'), r'widow'))
q('loss of a child', g_name_tag(r'compassionate friends|neonatal death|murdered children|homicide', None, r'death of a child|loss of a child|child has died|death of their child|death of a baby'), note='bereaved parents')
q('pregnancy loss', g_name_tag(r'neonatal death', None, r'miscarriage|stillbirth|pregnancy loss|neonatal'))
q('hospice', g_name_tag(r'hospice', None, r'hospice'))
# --- depression / mental health
dep=g_name_tag(r'depress|bipolar|dbsa|recovery international', ('cond','depression-bipolar'), r'depress|bipolar')
q('depression support group', dep)
q('depresion', dep, note='accent dropped (Spanish spelling)')
q('depresión', dep, note='Spanish with accent')
q('depressed', dep)
q('bipolar', dep)
q('anxiety', g_name_tag(r'anxiety|recovery international', ('cond','anxiety'), r'anxiety|panic|nervous'))
q('ansiedad', g_name_tag(r'anxiety|recovery international', ('cond','anxiety'), r'anxiety|panic|nervous'), note='Spanish: anxiety')
q('nami family mental illness', g_name_tag(r'nami|alliance on mental illness', None, r'mental illness'))
q('mental illness family support', g_name_tag(r'nami|alliance on mental illness|consumer and family', None, r'mental illness'))
q('peer run', g_name_tag(r'consumer and family affairs', ('cat','peer-run-organization'), r'peer'), note='peer-run organizations')
q('peer counseling seniors', g_name_tag(r'senior peer counseling', None, r'peer counsel'), note='senior peer counseling')
q('warmline', lambda r: 3 if has(r,'cat','warmline') else (2 if re.search(r'\bwarm ?line', r['_desc']) else 0), note='warmline category')
q('warm line', lambda r: 3 if has(r,'cat','warmline') else (2 if re.search(r'\bwarm ?line', r['_desc']) else 0))
q('linea calida', lambda r: 3 if has(r,'cat','warmline') else (2 if re.search(r'\bwarm ?line', r['_desc']) else 0), note='Spanish: warmline')
q('someone to talk to', lambda r: 3 if has(r,'cat','warmline') else (2 if re.search(r'\bwarm ?line', r['_desc']) else 0), note='synonym of warmline')
q('child abuse survivors', g_name_tag(r'child abuse|asca', None, r'child abuse|survivors of child'))
q('domestic violence', g_name_tag(r'abuse|violence|casa de las madres|woman, inc', None, r'domestic violence|battered'), note='DV services')
q('violencia domestica', g_name_tag(r'abuse|violence|casa de las madres|woman, inc', None, r'domestic violence|battered'), note='Spanish, no accents')
q('sexual assault', g_name_tag(r'rape trauma', None, r'sexual assault|rape'))
q('veteran ptsd', g_name_tag(r'veteran', ('pop','veterans'), r'veteran'), note='veterans')
q('veteranos', g_name_tag(r'veteran', ('pop','veterans'), r'veteran'), note='Spanish: veterans')
# --- substance use
q('narcotics anonymous', g_name_tag(r'narcotics anonymous', ('cond','drugs'), r'narcotics anonymous'))
q('na meeting', g_name_tag(r'narcotics anonymous', None, r'narcotics anonymous'), note='abbreviation')
q('narcoticos anonimos', g_name_tag(r'narcotics anonymous', None, r'narcotics anonymous'), note='Spanish')
q('cocaine anonymous', g_name_tag(r'cocaine anonymous|northern california chapter$', None, r'cocaine'))
q('marijuana anonymous', g_name_tag(r'marijuana', None, r'marijuana'))
q('my son uses drugs', g_name_tag(r'nar-anon', None, r'nar-anon|family members of addicts'), note='family of someone using')
q('gamblers anonymous', g_name_tag(r'gamblers', ('cond','gambling'), r'gambl'))
q('gambling addiction', g_name_tag(r'gamblers', ('cond','gambling'), r'gambl'))
q('apuestas', g_name_tag(r'gamblers', ('cond','gambling'), r'gambl'), note='Spanish: betting')
q('debt', g_name_tag(r'debtors', None, r'debt'))
q('workaholics', g_name_tag(r'workaholic', None, r'workaholi'))
q('overeaters anonymous', g_name_tag(r'overeaters|food addicts', None, r'overeat|compulsive eat'))
q('eating disorders anonymous', lambda r: 3 if r['organization']['id']=='mg-eda' else (1 if has(r,'cond','eating-disorders') else 0), cap=200)
q('anorexia', lambda r: 2 if r['organization']['id']=='mg-eda' else (3 if re.search('anorexi', r['_all']) else (1 if has(r,'cond','eating-disorders') else 0)), cap=200)
q('sober living house', g_name_tag(r'hope houses', None, r'sober living|clean and sober hous'))
q('asian recovery', g_name_tag(r'asian american recovery', None, r'asian'))
q('dual diagnosis', g_name_tag(r'dual|double trouble', ('cond','co-occurring'), r'dual diagnosis|co-occurring'))
# --- al-anon
alanon=lambda r: 3 if (has(r,'cat','family-support-group') and re.search(r'al-anon|alateen', r['_org']+' '+r['_name'])) else (2 if re.search(r'al-anon|alateen',r['_all']) else (1 if has(r,'cat','family-support-group') and has(r,'cond','alcohol') else 0))
q('al-anon', alanon, cap=400)
q('alanon', alanon, note='no hyphen', cap=400)
q('alateen', lambda r: 3 if re.search('alateen', r['_all']) else (1 if has(r,'cat','family-support-group') and has(r,'pop','youth') else 0))
q('family of an alcoholic', alanon, cap=400)
# --- places
def near(place, rad=40.2):
    p=PLACES[place]
    return lambda r: any(km(p,x)<=rad for x in r['_pts'])
def spanish_aa(place, rad=40.2):
    nr=near(place,rad)
    return lambda r: (3 if has(r,'lang','es') and has(r,'cond','alcohol') else 0) if nr(r) and r['status']=='active' else 0
q('spanish aa', spanish_aa('95112'), near='95112', note='Spanish AA around San Jose')
q('alcoholicos anonimos', spanish_aa('95112'), near='95112', note='Spanish words, no accents')
q('alcohólicos anónimos en español', spanish_aa('Santa Ana, CA'), near='Orange County CA', note='Orange County Spanish meetings')
q('reunion en espanol', spanish_aa('Santa Ana, CA'), near='Orange County CA', note='Spanish, no accents')
q('grupo de apoyo en español', lambda r: (3 if has(r,'lang','es') and has(r,'cat','self-help-group') else 0) if near('San Mateo, CA',16)(r) else 0, near='San Mateo, CA', radius_km=16.1, note='Spanish support groups around San Mateo')
def popaa(place,pop,rad=40.2):
    nr=near(place,rad)
    return lambda r: (3 if has(r,'pop',pop) and has(r,'cond','alcohol') else 0) if nr(r) and r['status']=='active' else 0
sfcity=lambda r: any('san francisco' in fold((l.get('address') or {}).get('city','')) for l in r.get('locations',[]))
q('gay aa meeting san francisco', lambda r: (3 if has(r,'pop','lgbtq') and has(r,'cond','alcohol') and sfcity(r) else 0), note='LGBTQ AA in SF, place in the words')
q('trans', lambda r: 3 if re.search(r'\btrans\b|transgender|gnc', r['_name']) else (1 if has(r,'pop','lgbtq') else 0), note='transgender groups first', cap=300)
q('womens aa meeting', popaa('19103','women',16.1), near='19103', radius_km=16.1, note='women AA in Philadelphia')
q('mujeres', popaa('Santa Ana, CA','women',16.1), near='Orange County CA', radius_km=16.1, note='Spanish: women')
q('mens meeting', popaa('95112','men'), near='95112', note='men-only AA around San Jose')
q('young people aa', popaa('19103','young-adults'), near='19103', note='young people AA in Philadelphia')
q('newcomer meeting', popaa('95112','newcomers',16.1), near='95112', radius_km=16.1, note='beginners around San Jose')
q('alchoholics anonymous', lambda r: (2 if has(r,'cond','alcohol') and not has(r,'cat','family-support-group') else 0) if near('19103',8)(r) and r['status']=='active' else 0, near='19103', radius_km=8, note='misspelled, Philadelphia', cap=400)
q('big book study', lambda r: (3 if re.search(r'big book', r['_name']) else (1 if re.search(r'big book',r['_desc']) else 0)) if near('19103',16.1)(r) and r['status']=='active' else 0, near='19103', radius_km=16.1)
q('meditation', lambda r: (3 if re.search(r'meditat|11th step', r['_name']) else (2 if re.search(r'meditat', r['_desc']) or 'MED' in ((r.get('meeting') or {}).get('types') or []) else 0)) if near('95112')(r) and r['status']=='active' else 0, near='95112', note='meditation meetings around San Jose')
q('deaf', g_name_tag(r'deaf|hearing', ('pop','deaf-hard-of-hearing'), r'deaf'), note='deaf and hard of hearing')
q('sordos', g_name_tag(r'deaf|hearing', ('pop','deaf-hard-of-hearing'), r'deaf'), note='Spanish: deaf')
q('blind', g_name_tag(r'blind', None, r'blind|visually impaired'))
q('alzheimers caregiver', g_name_tag(r'alzheimer|caregiver', None, r'alzheimer'))
q('cancer support', g_name_tag(r'cancer', None, r'cancer'))
q('breast cancer', g_name_tag(r'breast cancer', None, r'breast cancer'))
q('parkinsons', g_name_tag(r'parkinson', None, r'parkinson'), note='no apostrophe')
q('lupus', g_name_tag(r'lupus', None, r'lupus'))
q('diabetes', g_name_tag(r'diabetes', None, r'diabet'))
q('epilepsy', g_name_tag(r'epilepsy', None, r'epilep|seizure'))
q('multiple sclerosis', g_name_tag(r'multiple sclerosis', None, r'multiple sclerosis'))
q('stroke survivors', g_name_tag(r'stroke', None, r'stroke'))
q('brain injury', g_name_tag(r'brain injury', None, r'brain injury'))
q('amputee', g_name_tag(r'stumps', None, r'amput'))
q('ostomy', g_name_tag(r'ostomy', None, r'ostomy'))
q('infertility', g_name_tag(r'resolve|infertil', None, r'infertil'))
q('breastfeeding', g_name_tag(r'la leche', None, r'breastfeed|breast-feed|nursing mothers'))
q('hiv', g_name_tag(r'positives|aids|\bhiv\b', None, r'hiv'))
q('latino community', g_name_tag(r'la raza|centro de libertad', ('pop','latinx'), r'latino|hispanic'))
q('japanese', g_name_tag(r'japanese|nobiru', None, r'japanese'))
q('parents of gay children', g_name_tag(r'p-flag|pflag|lesbians and gays', None, r'gay|lesbian'))
q('teen drug abuse', lambda r: (3 if has(r,'pop','youth') and has(r,'cond','drugs') else 0))
#q('padres de familia', g_name_tag(r'parents helping parents|parent', ('pop','families'), r'parent'), note='Spanish: parents', cap=100)
q('adicción a las drogas', lambda r: (2 if has(r,'cond','drugs') and r['_org'].find('aa ')<0 else 0) if r['id'].startswith('smc-') else 0, note='Spanish: drug addiction')

out=[]
for e in Q:
    rel={}
    for r in recs:
        if r['status']!='active': continue
        g=e['grade'](r)
        if g: rel[r['id']]=g
    items=sorted(rel.items(), key=lambda kv:(-kv[1],kv[0]))[:e['cap']]
    entry={'q':e['q']}
    if e['near']:
        lat,lng=PLACES[e['near'] if e['near'] in PLACES else e['near']]
        entry.update(near=e['near'],lat=lat,lng=lng,radius_km=e['radius_km'])
    if e['note']: entry['note']=e['note']
    entry['relevant']=dict(items)
    out.append(entry)
    print(f"{len(rel):5d} top3={sum(1 for v in rel.values() if v==3):4d} {e['q']}", file=sys.stderr)
json.dump({"about":"Judged queries over the shipped dataset (data.Records). relevant maps a record id to a grade: 3 = exactly what was asked (named for it), 2 = clearly serves it (its description says so), 1 = related (tagged with the need). Judged from the records' names, descriptions and tags, not from the engine's answers.","queries":out}, open(os.path.join(ROOT, 'indexer', 'testdata', 'search', 'judged.json'),'w'), indent=1, ensure_ascii=False)
print(len(out), file=sys.stderr)
