"""Builds the reference from the phase tables below (the coder's own script; run from anywhere).

Written by the first coder under RULES.md; kept so that every row can be traced to its phase."""
from pathlib import Path
HERE = Path(__file__).resolve().parent
import pandas as pd, itertools
D=str(HERE.parents[1] / 'data') + '/'
code={2:'USA',365:'RUS',700:'AFG',701:'TKM',702:'TAJ',703:'KYR',704:'UZB',705:'KZK',710:'CHN'}
S=sorted(code.values()); Y=list(range(1991,2025))
pairs=list(itertools.combinations(S,2))
m=pd.read_csv(D+'atop_v5_1_members_subset.csv')
m=m[m.member.isin(code)&((m.yrexit==0)|(m.yrexit>=1991))]
def lev(r):
    if r.atopid==4400: return 1
    if r.defense==1 or r.offense==1: return 3
    if r.base>0: return 2
    if r.neutral==1 or r.nonagg==1 or r.consul==1: return 1
    return 0
m['lev']=m.apply(lev,axis=1); m['st']=m.member.map(code)
def active(r,y): return r.yrent<=y and (r.yrexit==0 or r.yrexit>y)
atop={}
recs=[r for r in m.itertuples()]
from collections import defaultdict
byid=defaultdict(lambda: defaultdict(list))
for r in recs: byid[r.atopid][r.st].append(r)
for (a,b) in pairs:
    for y in Y:
        best=(0,[])
        for aid,d in byid.items():
            ra=[r for r in d.get(a,[]) if active(r,y)]
            rb=[r for r in d.get(b,[]) if active(r,y)]
            if ra and rb:
                l=min(max(r.lev for r in ra),max(r.lev for r in rb))
                if l>best[0]: best=(l,[aid])
                elif l==best[0] and l>0: best[1].append(aid)
        atop[(a,b,y)]=best
bl=pd.read_csv(HERE.parent / 'central_asia_reference_blocs.csv')
mem={(r.state,r.bloc,r.year):r.member for r in bl.itertuples()}
# ---------- de jure overrides: (a,b,start,end,level,source,conf,note)
OV=[
('AFG','CHN',2006,2011,1,'China-Afghanistan Treaty of Friendship, Cooperation and Good-Neighbourly Relations, 19 Jun 2006 (replaces 1960 treaty, ATOP 3415 ends Jun 2006)',0.8,'treaty not in ATOP subset'),
('AFG','CHN',2012,2020,2,'China-Afghanistan joint declaration establishing a strategic and cooperative partnership, 8 Jun 2012',0.8,'not in ATOP'),
('AFG','CHN',2021,2024,1,'2006 friendship treaty treated as still binding between the states; 2012 partnership declaration not carried over to the unrecognised Taliban government',0.5,'judgement: 2 is the alternative'),
('AFG','USA',1999,2000,-1,'US Executive Order 13129 (4 Jul 1999) blocking Taliban property; UNSC res. 1267 (Oct 1999)',0.9,'sanctions aimed at the government holding Kabul'),
('AFG','USA',2002,2002,1,'US-Afghanistan exchange of notes on status of US personnel (Sep/Dec 2002), not yet in force; Bonn process',0.5,'judgement'),
('AFG','USA',2003,2020,2,'US-Afghanistan SOFA in force 28 May 2003; Joint Declaration of Strategic Partnership 23 May 2005; Enduring Strategic Partnership Agreement 2 May 2012 (ATOP 6050, base); Bilateral Security Agreement 30 Sep 2014',0.9,''),
('AFG','USA',2021,2024,-1,'Taliban take Kabul 15 Aug 2021; Taliban designated under EO 13224 (as amended by EO 13268, 2002); Afghan central-bank reserves blocked',0.8,'sanctions programme aimed at the Taliban government'),
('CHN','RUS',1996,2024,2,'Sino-Russian joint statement on a strategic partnership of coordination, 25 Apr 1996; Treaty of Good-Neighbourliness 16 Jul 2001 (ATOP 4980)',0.9,'ATOP codes the treaties as non-aggression/consultation (1)'),
('CHN','KZK',2005,2024,2,'China-Kazakhstan joint statement on strategic partnership, 4 Jul 2005; comprehensive strategic partnership 2011',0.8,''),
('CHN','UZB',2012,2024,2,'China-Uzbekistan joint declaration on strategic partnership, 6 Jun 2012; comprehensive strategic partnership 2016',0.8,''),
('CHN','TAJ',2013,2024,2,'China-Tajikistan joint declaration on strategic partnership, 20 May 2013',0.8,''),
('CHN','KYR',2013,2024,2,'China-Kyrgyzstan joint declaration on strategic partnership, 11 Sep 2013',0.8,''),
('CHN','TKM',2013,2024,2,'China-Turkmenistan joint declaration on strategic partnership, 3 Sep 2013; friendship treaty May 2014 (ATOP 6085)',0.8,''),
('CHN','USA',1991,2017,-1,'US post-Tiananmen sanctions, FRAA FY1990-91 Title IX s.902 (arms sales and export-control restrictions, still in force)',0.5,'narrow sanctions programme; overrides TAC common membership (ATOP 3755, from 2009); 0/1 is the alternative'),
('CHN','USA',2018,2024,-1,'s.902 sanctions plus Section 301 tariffs (Jul 2018), EO 13959 (Nov 2020) and EO 14032 (Jun 2021) on Chinese military-linked companies',0.8,''),
('KYR','USA',2001,2013,2,'US-Kyrgyzstan agreement on use of Manas airport (Dec 2001); Transit Center agreement Jun 2009',0.8,'basing agreement, not in ATOP'),
('KYR','UZB',2017,2024,2,'Kyrgyz-Uzbek Declaration on Strategic Partnership, Strengthening of Friendship, Good-Neighbourliness and Trust, 2017 (https://mfa.gov.kg/en/dm/uzbekistan-en/Menu---Foreign-/--uslugi/Political-collaboration/zbekistan)',0.8,'comprehensive strategic partnership from Jan 2023'),
('KZK','TKM',2017,2024,2,'Kazakhstan-Turkmenistan Treaty on Strategic Partnership, Astana 18 Apr 2017 (https://timesca.com/kazakhstan-and-turkmenistan-sign-strategic-partnership-treaty/)',0.9,''),
('TKM','UZB',2017,2024,2,'Turkmenistan-Uzbekistan Treaty on Strategic Partnership, Ashgabat 6 Mar 2017 (http://www.xebersaati.com/news/60506-uzbekistan-ratifies-strategic-partnership-deal-with-turkmenistan/)',0.9,'declaration on deepening strategic partnership Oct 2022'),
('KZK','USA',2018,2024,2,'US-Kazakhstan joint statement on an Enhanced Strategic Partnership for the 21st Century, 16 Jan 2018',0.8,''),
('KZK','UZB',2013,2024,2,'Kazakhstan-Uzbekistan Treaty on Strategic Partnership, 14 Jun 2013 (ATOP 6053, coded nonagg); zhailin2022 introduction; hau2022 history section',0.9,''),
('RUS','TKM',2017,2024,2,'Russia-Turkmenistan Treaty on Strategic Partnership, 2 Oct 2017 (ATOP 7030)',0.9,'ATOP codes it non-aggression'),
('RUS','USA',2014,2024,-1,'US Executive Orders 13660-13662 (Mar 2014), 13685; EO 14024 (Apr 2021); 2022 sanctions packages',0.9,'overrides OSCE and the 1992 Charter of Partnership (ATOP 4265)'),
('USA','UZB',2001,2001,2,'US-Uzbekistan agreement on use of Karshi-Khanabad, 7 Oct 2001; burkov2014, development of bilateral relations',0.9,'basing'),
('USA','UZB',2002,2024,2,'Declaration on the Strategic Partnership and Cooperation Framework, 12 Mar 2002 (ATOP 4998, coded consultation; the text uses the term strategic partnership); K-2 basing to Nov 2005',0.7,'declaration never withdrawn on paper although practice collapsed after 2005'),
]
OVD={}
for (a,b,s,e,l,src,cf,nt) in OV:
    for y in range(s,e+1): OVD[(a,b,y)]=(l,src,cf,nt)
# special cases where the rule is applied against an override candidate
KZUZ_NOTE='Declaration on Allied Relations 6 Dec 2021 (zhailin2022_abs; usmanov2021) and Treaty on Allied Relations 22 Dec 2022 (hau2022 opening; ratified by Kazakhstan 20 May 2024, https://astanatimes.com/2024/05/kazakh-president-ratifies-treaty-on-allied-relations-with-uzbekistan/) bind the parties only to consult and seek peaceful settlement if one is threatened (https://en.trend.az/casia/3674875.html): no defence obligation, so not level 3; strategic partnership level kept'
BLOCNAME={'CIS':'CIS (Alma-Ata Protocol 21 Dec 1991)','OSCE':'OSCE common membership','SCO':'SCO/Shanghai Five (ATOP 4810)','EAEU':'EurAsEC/EAEU','CSTO':'CST/CSTO (ATOP 4220)'}
def dejure(a,b,y):
    cands=[]
    l,ids=atop[(a,b,y)]
    if l>0:
        conf=0.9 if y<=2018 else 0.8
        cands.append((l,'ATOP v5.1 atopid '+'/'.join(str(i) for i in ids)+(' (carried past 2018)' if y>2018 else ''),conf,''))
    for blc in ['CIS','OSCE','SCO','EAEU','CSTO']:
        if mem.get((a,blc,y),0) and mem.get((b,blc,y),0):
            cands.append((3 if blc=='CSTO' else 1,'common full membership: '+BLOCNAME[blc],0.9,''))
    note=''
    if (a,b,y) in OVD:
        o=OVD[(a,b,y)]
        if o[0]==-1: return o[0],o[1],o[2],o[3]
        # override may lower (AFG-CHN 2021) or raise
        if (a,b)==('AFG','CHN') and y>=2021: return o
        cands.append(o)
    if not cands: return 0,'no instrument in force found (ATOP v5.1, bloc lists, searched treaty news)',0.7 if 'AFG' in (a,b) or 'TKM' in (a,b) else 0.8,''
    top=max(c[0] for c in cands)
    best=[c for c in cands if c[0]==top]
    src='; '.join(dict.fromkeys(c[1] for c in best)); conf=max(c[2] for c in best); nt=' '.join(c[3] for c in best if c[3])
    if (a,b)==('RUS','UZB') and 1999<=y<=2004:
        nt='ATOP 4245 (30 May 1992 treaty, mutual assistance clause) stays in force after the April 1999 CST exit, so 3 on paper; burkov2014 reads the exit as ending the alliance (2 would be the alternative)'; conf=0.6
    if (a,b)==('KZK','UZB') and y>=2021:
        nt=KZUZ_NOTE; conf=0.6
    if (a,b)==('RUS','TKM') and 1996<=y<=2001:
        nt='1992 treaty (ATOP 4300) kept in force despite Turkmen permanent neutrality (UNGA res. 50/80, 12 Dec 1995)'; conf=0.6
    if 'OSCE' in src and y==1992 and b in('USA',) or (('OSCE' in src) and a in ('KYR',) and b=='USA' and y in (1992,1993)) or (('OSCE' in src) and (a,b)==('USA','UZB') and y==1992):
        nt=(nt+' OSCE admission 30 Jan 1992 used rather than ATOP 3740 entry date').strip()
    return top,src,conf,nt
# ---------- de facto phases: (start,end,level,source,conf,note)
TH='thin pair: coded from diplomatic relations and ordinary trade only'
F={
('AFG','CHN'):[
 (1991,2000,0,'China kept distance from Najibullah (had backed the mujahideen), closed its Kabul embassy during the 1993 fighting and never recognised the Taliban emirate; contacts limited (Chinese envoy met Mullah Omar Dec 2000)',0.4,'inferred from indirect facts'),
 (2001,2001,0,'interim administration installed 22 Dec 2001; Chinese embassy reopened only Feb 2002',0.4,''),
 (2002,2020,1,'embassy reopened Feb 2002; 2006 friendship treaty; Aynak copper contract 2007; 2012 strategic and cooperative partnership; Afghanistan SCO observer 2012',0.5,'Chinese counter-terror aid and the 2016 quadrilateral mechanism noted; not coded 2'),
 (2021,2024,1,'China kept its embassy in Kabul after Aug 2021, signed the Amu Darya oil contract (Jan 2023) and accepted a Taliban-appointed ambassador (Jan 2024) without formal recognition',0.5,'')],
('AFG','KYR'):[
 (1991,1995,0,TH,0.3,TH),
 (1996,2000,-1,'IMU fighters sheltered in Taliban-held Afghanistan raided Batken in 1999 and 2000; Bishkek backed CIS statements against the Taliban',0.4,'indirect; Taliban relations, not clashes, coded'),
 (2001,2020,0,'diplomatic relations with the Kabul governments but few bilateral dealings; Kyrgyz role was as host of the US Manas base for the Afghan campaign (recorded under KYR-USA)',0.4,TH),
 (2021,2024,0,'pragmatic contacts with the Taliban authorities (CASA-1000, trade); Taliban removed from Kyrgyz banned list 2024',0.4,TH)],
('AFG','KZK'):[
 (1991,1995,0,TH,0.3,TH),
 (1996,2000,-1,'Kazakhstan joined the Oct 1996 Almaty meeting of CIS leaders warning the Taliban against approaching the CIS border',0.4,'indirect'),
 (2001,2001,0,'transition year',0.3,TH),
 (2002,2020,1,'Kazakh grain exports, 2010 education programme for Afghan students, aid and transit',0.5,''),
 (2021,2024,1,'trade continued with the Taliban authorities; Taliban removed from Kazakhstan\'s list of banned organisations Dec 2023',0.5,'')],
('AFG','RUS'):[
 (1991,1991,1,'Soviet supplies to Najibullah ran until the agreed US-Soviet cut-off on 1 Jan 1992; Moscow already talking to mujahideen (Nov 1991)',0.4,'USSR'),
 (1992,1992,0,'mujahideen government takes Kabul Apr 1992; Russia withdraws support',0.4,''),
 (1993,1993,-2,'Tajik opposition fighters based in Afghanistan kill Russian border guards at outpost 12 (Jul 1993); Russian air and artillery strikes on Afghan territory',0.6,''),
 (1994,1994,-1,'continuing cross-border raids on the Russian-guarded Tajik-Afghan border',0.4,'interpolated'),
 (1995,1995,0,'Moscow starts supplying the Rabbani government against the Taliban (Il-76 seized at Kandahar Aug 1995)',0.4,''),
 (1996,2000,-2,'Russia arms the Northern Alliance fighting the Taliban emirate (arming the enemy in a war); Taliban recognise Chechnya (Jan 2000)',0.7,''),
 (2001,2016,1,'Russia backs the post-Taliban government, Karzai visits, helicopter supplies; no security commitment in practice',0.5,''),
 (2017,2020,0,'Moscow hosts talks with the Taliban insurgency (Moscow format 2017-2019) over Kabul\'s objections',0.4,''),
 (2021,2024,1,'Russia keeps its embassy open under the Taliban; fuel and grain deals 2022; Taliban still on Russia\'s terrorist list (since 14 Feb 2003) in this period',0.5,'')],
('AFG','TAJ'):[
 (1991,1992,0,'civil war in Tajikistan; thin relations',0.3,''),
 (1993,1995,-1,'Tajik opposition (UTO) based in Afghanistan under the Rabbani government, cross-border raids 1993',0.5,''),
 (1996,2000,-2,'Tajikistan serves as rear base and supply route for the Northern Alliance against the Taliban emirate (Farkhor)',0.6,'arming the enemy in a war'),
 (2001,2020,1,'close ties with the post-Taliban governments; Panj bridge 2007, electricity exports, CASA-1000',0.5,''),
 (2021,2024,-1,'Rahmon refuses to recognise the Taliban, hosts anti-Taliban figures; hostile rhetoric and troop build-ups on the border',0.6,'')],
('AFG','TKM'):[
 (1991,1995,0,TH,0.3,TH),
 (1996,2000,1,'neutral Turkmenistan deals with the Taliban: consulates in Herat and Mazar, fuel and power supplies, trans-Afghan pipeline talks',0.5,''),
 (2001,2001,0,'transition',0.3,TH),
 (2002,2020,1,'TAPI framework agreements 2002 and 2010, power exports, Aqina rail link 2016',0.5,''),
 (2021,2024,1,'Turkmenistan engages the Taliban (TAPI works resumed 2024, rail and power)',0.5,'')],
('AFG','USA'):[
 (1991,1991,-2,'US arms the mujahideen against the Najibullah government until the 1 Jan 1992 cut-off',0.6,'arming the enemy in a war'),
 (1992,1997,0,'US disengages after 1992; no embassy; early contacts with the Taliban',0.6,''),
 (1998,1998,-2,'US cruise-missile strikes on camps in Taliban-held Afghanistan, 20 Aug 1998',0.8,''),
 (1999,2000,-1,'US sanctions on the Taliban (EO 13129, Jul 1999) and UN sanctions 1267/1333',0.8,''),
 (2001,2020,3,'US-led forces in Afghanistan by agreement with the interim administration (22 Dec 2001) and the Islamic Republic; SOFA 2003, partnership 2005 and 2012, BSA 2014',0.9,''),
 (2021,2024,-1,'no recognition of the Taliban, sanctions and frozen reserves after 15 Aug 2021; US drone strike in Kabul killing al-Zawahiri (31 Jul 2022) noted',0.6,'single strike not raised to -2')],
('AFG','UZB'):[
 (1991,1995,0,'Tashkent works through Dostum in the north rather than with Kabul',0.4,'inferred'),
 (1996,2000,-1,'hostility to the Taliban emirate, which shelters the IMU; Termez bridge closed; Uzbek backing of Dostum',0.5,''),
 (2001,2020,1,'bridge reopened Dec 2001; Hairatan-Mazar railway 2011 built by Uzbekistan; power exports; Tashkent conference on Afghanistan 2018',0.6,''),
 (2021,2024,1,'pragmatic engagement with the Taliban: Termez talks 16 Oct 2021 (https://www.rferl.org/amp/uzbekistan-afghanistan-taliban-talks/31513855.html), trade deals, Trans-Afghan railway plans',0.6,'')],
('CHN','KYR'):[
 (1991,1991,0,'diplomatic relations only from Jan 1992',0.5,''),
 (1992,2001,1,'border talks, Shanghai Five CBMs 1996, border agreements 1996/1999, growing trade',0.5,''),
 (2002,2024,2,'first bilateral anti-terror exercise (Oct 2002), SCO Peace Mission drills, China as main creditor and trade partner',0.5,'border cession protests 2002 and anti-Chinese protests 2019-2020 noted')],
('CHN','KZK'):[
 (1991,1991,0,'independence year',0.5,''),
 (1992,2004,1,'border treaties 1994-1999, Shanghai Five, oil investments (CNPC 1997)',0.6,''),
 (2005,2024,2,'strategic partnership 2005, Atasu-Alashankou oil pipeline 2006 and gas pipeline 2009, SCO joint exercises, Belt and Road launched in Astana 2013',0.6,'Xinjiang detentions of ethnic Kazakhs (2018-2019) strained opinion')],
('CHN','RUS'):[
 (1991,1995,1,'border agreement May 1991, normalisation; arms sales begin 1992 on commercial terms',0.6,''),
 (1996,2024,2,'strategic partnership of coordination 1996, large arms transfers, joint exercises from Peace Mission 2005, mutual diplomatic support (UNSC), "no limits" statement Feb 2022',0.7,'no integrated command or bases, so not 3')],
('CHN','TAJ'):[
 (1991,1995,0,'civil war, thin relations',0.4,''),
 (1996,2015,1,'Shanghai Five/SCO; 2002 border agreement and 2011 land transfer; Chinese loans and roads',0.5,''),
 (2016,2024,2,'joint counter-terror exercise (Oct 2016), Chinese-funded border posts and Chinese security personnel near the Wakhan; Tajikistan supports China on Xinjiang',0.5,'')],
('CHN','TKM'):[
 (1991,2005,0,TH+'; Niyazov isolation',0.3,TH),
 (2006,2024,1,'gas agreement Apr 2006, Central Asia-China gas pipeline 2009, China main gas buyer; strategic partnership 2013; no security cooperation (neutrality)',0.5,'deep gas ties could argue 2; neutrality keeps it at 1')],
('CHN','USA'):[
 (1991,1991,0,'post-Tiananmen chill and sanctions',0.6,''),
 (1992,1995,1,'MFN renewed and delinked from human rights (1994); growing trade',0.5,''),
 (1996,1996,-1,'Taiwan Strait crisis: Chinese missile tests and two US carrier groups (Mar 1996)',0.6,''),
 (1997,1998,1,'Jiang (1997) and Clinton (1998) state visits',0.6,''),
 (1999,1999,-1,'NATO bombing of the Chinese embassy in Belgrade (May 1999), attacks on US missions, suspended dialogue for months',0.6,''),
 (2000,2001,0,'PNTR 2000; EP-3 collision Apr 2001; post-9/11 thaw',0.5,''),
 (2002,2017,1,'counter-terror cooperation, WTO entry, strategic and economic dialogue, climate deal 2014',0.6,''),
 (2018,2024,-1,'trade war from Jul 2018, technology sanctions, hostile rhetoric; PLA drills after the Pelosi visit Aug 2022',0.7,'')],
('CHN','UZB'):[
 (1991,1991,0,'independence year',0.4,''),
 (1992,2004,1,'diplomatic ties 1992, Karimov visits, trade; SCO from 2001 (RATS seated in Tashkent 2004)',0.5,''),
 (2005,2024,2,'Beijing backs Karimov after Andijan (state visit May 2005), oil and gas deals, gas pipeline 2009, strategic partnership 2012, joint exercise 2019',0.6,'')],
('KYR','KZK'):[
 (1991,1991,1,'burkov2014: Ashgabat meeting 13 Dec 1991 of the five CA leaders',0.5,''),
 (1992,2009,2,'CST allies, 1997 eternal friendship treaty (ATOP 4867), joint CSTO exercises, Kazakh investment and trade',0.5,''),
 (2010,2010,1,'Kazakhstan closes the border for weeks after the April 2010 Kyrgyz revolution',0.5,'short crisis lowers by one'),
 (2011,2016,2,'CSTO, EAEU accession supported by Kazakhstan',0.5,''),
 (2017,2017,-1,'Atambayev attacks on Nazarbayev, Kazakh protest note and border/customs blockade from Oct 2017 lasting to the year end',0.6,''),
 (2018,2024,2,'relations restored under Jeenbekov and Japarov; CSTO and EAEU partners',0.5,'')],
('KYR','RUS'):[
 (1991,1991,1,'independence year',0.5,''),
 (1992,2002,2,'CST, 1992 treaty with basing clause (ATOP 4255); Russian border guards on the Kyrgyz-Chinese border to 1999; Russian help during the 1999-2000 Batken incursions',0.6,''),
 (2003,2009,3,'Kant air base opened Oct 2003 as CSTO rapid-reaction base; integrated air defence',0.7,''),
 (2010,2010,2,'Moscow cools on Bakiyev (fuel duties, media campaign) before his fall in Apr 2010',0.5,''),
 (2011,2024,3,'2012 agreement on a unified Russian base (Kant, Karakol test site) for 15 years; CSTO exercises; Kyrgyz EAEU accession 2015',0.7,'')],
('KYR','TAJ'):[
 (1991,2013,1,'CIS and CST partners with local border and water frictions in the Ferghana valley (Isfara, Vorukh)',0.4,'interpolated: incidents before 2014 not coded'),
 (2014,2020,-1,'border shoot-out with mortars at Tamdyk-Vorukh (11 Jan 2014), closures, Sep 2019 clash with deaths',0.6,'2019 clash short; not raised to -2'),
 (2021,2022,-2,'armed border war Apr-May 2021 (about 50 dead) and Jan/Sep 2022 (about 100 dead), tanks and rockets (https://www.aljazeera.com/news/2022/9/16/kyrgyzstan-reports-heavy-fighting-with-tajikistan/)',0.9,''),
 (2023,2024,-1,'ceasefire, border closed, delimitation talks advancing',0.6,'')],
('KYR','TKM'):[
 (1991,2006,0,TH+'; Niyazov isolation',0.3,TH),
 (2007,2024,1,'more visits and agreements after 2007 (Berdimuhamedov); energy and transit cooperation',0.3,TH)],
('KYR','USA'):[
 (1991,1991,0,'independence year',0.5,''),
 (1992,2000,1,'US aid to the Akayev reforms, PfP 1994',0.6,''),
 (2001,2004,3,'Manas air base hosted by agreement from Dec 2001',0.7,''),
 (2005,2013,2,'base kept but contested: rent demands 2006, parliament vote to close (Feb 2009), Transit Center deal Jun 2009',0.6,''),
 (2014,2014,1,'Transit Center closed Jun 2014',0.6,''),
 (2015,2016,0,'Kyrgyzstan denounces the 1993 cooperation agreement (Jul 2015) after the US award to Azimjan Askarov',0.6,''),
 (2017,2024,1,'C5+1 format, aid programmes',0.5,'')],
('KYR','UZB'):[
 (1991,1998,1,'CIS/CST partners, 1996 eternal friendship treaty; Uzbek gas cut-offs over debts',0.5,''),
 (1999,2016,-1,'Uzbek mining of the border (1999-2000) killing Kyrgyz civilians (https://www.rferl.org/a/1095241.html), closed borders and visa regime, enclave disputes (Sokh 2013), Osh violence 2010, Ungar-Too standoff 2016',0.7,''),
 (2017,2024,1,'Mirziyoyev normalisation: border treaty, strategic partnership declaration 2017, border delimitation completed 2022-2023, trade growth',0.6,'Kempir-Abad reservoir deal contested in Kyrgyzstan (2022)')],
('KYR','TKM_dummy'):[],
('KZK','RUS'):[
 (1991,1991,1,'burkov2014, development of bilateral relations: mistrust after Belovezh but dependence on Moscow',0.7,''),
 (1992,1997,2,'burkov2014: relations rapidly improved in all areas after the CST',0.7,''),
 (1998,2021,3,'burkov2014: 1998 declaration of eternal friendship and alliance raised ties to their highest level; Baikonur lease, joint air defence, diplomatic backing of Moscow in 2008 and 2014; CSTO troops in Kazakhstan Jan 2022 come next',0.7,''),
 (2022,2024,2,'Tokayev refuses to recognise the Donbas entities (Jun 2022) and keeps sanctions compliance while military integration continues',0.6,'sides diverge on the war: coded lower')],
('KZK','TAJ'):[
 (1991,1992,1,'CIS partners',0.4,''),
 (1993,2000,2,'Kazakh battalion in the CIS collective peacekeeping force on the Tajik-Afghan border',0.5,''),
 (2001,2024,1,'CSTO partners, trade and labour ties, little bilateral security practice',0.4,'')],
('KZK','TKM'):[
 (1991,2006,0,TH+'; Niyazov isolation',0.3,TH),
 (2007,2024,1,'gas pipeline 2009, Kazakhstan-Turkmenistan-Iran railway 2014, strategic partnership treaty 2017 (https://timesca.com/kazakhstan-and-turkmenistan-sign-strategic-partnership-treaty/)',0.5,'')],
('KZK','USA'):[
 (1991,1991,0,'independence year',0.5,''),
 (1992,2002,1,'Nunn-Lugar 1993, Project Sapphire 1994, Chevron Tengiz 1993; burkov2014: no territory offered to US forces after 9/11',0.6,''),
 (2003,2008,2,'Kazakh engineer unit in the US-led Iraq coalition 2003-2008, Steppe Eagle exercises',0.5,''),
 (2009,2024,1,'NDN transit, enhanced strategic partnership statement 2018, C5+1; Kazakhstan backs Moscow in 2008 and 2014 (burkov2014)',0.5,'')],
('KZK','UZB'):[
 (1991,1999,0,'hau2022, history and reality: disputes over borders, cross-border ethnic groups and water with little cooperation in the first decade despite the 1994 Central Asian Economic Union and 1998 eternal friendship treaty',0.7,''),
 (2000,2002,-1,'unilateral Uzbek border demarcation, Bagys and Turkestanets incidents, border closures',0.5,'interpolated within hau2022 first-decade phase'),
 (2003,2009,0,'hau2022: leadership rivalry in Central Asia and water tensions that Karimov later called close to war',0.6,''),
 (2010,2012,0,'hau2022: 2010 Karimov-Nazarbayev meeting opens change',0.6,''),
 (2013,2016,1,'hau2022 and zhailin2022 introduction: 2013 strategic partnership treaty, smooth development',0.7,''),
 (2017,2024,2,'zhailin2022 results: normalisation 2017, security-council consultations, defence-ministry format and joint exercises; 2021 declaration and 2022 treaty (hau2022) which remains mainly political',0.7,'not 3: hau2022 calls the alliance mainly political')],
('RUS','TAJ'):[
 (1991,1991,1,'independence year',0.5,''),
 (1992,1992,2,'Russian 201st division and border troops support the Rahmonov side in the civil war',0.6,''),
 (1993,2024,3,'1993 treaty with basing (ATOP 4470), Russian border troops on the Afghan border to 2005, 201st base (2004 agreement, extended to 2042 in 2012)',0.8,'')],
('RUS','TKM'):[
 (1991,1991,1,'independence year',0.5,''),
 (1992,1994,2,'1992 treaty (ATOP 4300): joint command of Turkmen forces and Russian border troops',0.5,''),
 (1995,2008,1,'permanent neutrality (Dec 1995); Russian border guards leave 1999; gas deals (2003) amid disputes (dual citizenship 2003)',0.5,''),
 (2009,2009,-1,'pipeline blast Apr 2009 halts Turkmen gas exports to Russia; Ashgabat blames Gazprom',0.5,''),
 (2010,2015,1,'gas flows resumed at lower volumes',0.5,''),
 (2016,2018,0,'Gazprom stops buying Turkmen gas (Jan 2016)',0.5,''),
 (2019,2024,1,'gas purchases resumed 2019; strategic partnership 2017',0.5,'')],
('RUS','USA'):[
 (1991,1991,1,'USSR-US cooperation, START I (Jul 1991)',0.7,'USSR'),
 (1992,1993,2,'Charter of American-Russian Partnership and Friendship (Jun 1992), Nunn-Lugar, US backing of Yeltsin',0.6,''),
 (1994,1998,1,'NATO enlargement disputes, IFOR cooperation in Bosnia',0.6,''),
 (1999,1999,0,'Kosovo war: Russia freezes ties with NATO',0.6,''),
 (2000,2000,1,'Putin takes office',0.5,''),
 (2001,2002,2,'post-9/11 intelligence support and acceptance of US bases in Central Asia; NATO-Russia Council 2002',0.6,''),
 (2003,2006,1,'Iraq war dispute',0.6,''),
 (2007,2007,0,'Munich speech, CFE suspension',0.5,''),
 (2008,2008,-1,'Georgia war, US backing of Tbilisi',0.7,''),
 (2009,2011,1,'reset, New START 2010, NDN transit through Russia',0.7,''),
 (2012,2013,0,'Magnitsky and Dima Yakovlev laws, Snowden asylum',0.6,''),
 (2014,2021,-1,'Crimea annexation, sanctions and expulsions',0.8,''),
 (2022,2024,-2,'US arms Ukraine in its war with Russia',0.8,'arming the enemy in a war')],
('RUS','UZB'):[
 (1991,1991,1,'burkov2014: mistrust of Yeltsin after Belovezh, yet dependence on Moscow (Ashgabat meeting)',0.6,''),
 (1992,1993,2,'burkov2014: CST allies, relations mainly military; joint support for the Rahmonov side in Tajikistan',0.5,''),
 (1994,1994,1,'burkov2014: military cooperation active only when Tashkent felt threatened',0.4,'interpolated'),
 (1995,1998,2,'burkov2014: active military and security cooperation while the Taliban threatened the north (1995-1998)',0.7,''),
 (1999,2003,0,'burkov2014: CST exit 1999, Uzbekistan avoids Russia and prefers the West until 2003',0.7,''),
 (2004,2004,1,'strategic partnership treaty Jun 2004 as US ties sour (burkov2014)',0.6,''),
 (2005,2007,2,'burkov2014: after Andijan Tashkent seeks Moscow, 2005 treaty on allied relations, CSTO return 2006, active military cooperation 2005-2007 for fear of NATO',0.7,'no Russian forces based: not 3'),
 (2008,2011,1,'burkov2014: cooling from Mar 2008, alliance reduced to declarations, turn to the West; EurAsEC suspended Nov 2008',0.7,''),
 (2012,2016,0,'CSTO suspension 2012; neutral or critical position on Crimea (burkov2014)',0.6,''),
 (2017,2024,2,'Mirziyoyev rapprochement: first joint exercise in over a decade (Oct 2017), arms purchases, EAEU observer 2020 (zhailin2022), 2024 comprehensive strategic partnership and alliance',0.6,'')],
('TAJ','TKM'):[
 (1991,2006,0,TH+'; Niyazov isolation',0.3,TH),
 (2007,2024,1,'visits and energy/transit agreements after 2007',0.3,TH)],
('TAJ','USA'):[
 (1991,2000,0,'civil war; US embassy staff withdrawn to Almaty 1998',0.5,''),
 (2001,2024,1,'overflight and refuelling rights 2001, US-funded Panj bridge (2007) and border assistance, NDN, C5+1',0.5,'')],
('TAJ','UZB'):[
 (1991,1991,1,'independence year',0.4,''),
 (1992,1992,2,'Uzbekistan backs the Popular Front and the Rahmonov government in the civil war',0.5,''),
 (1993,1997,1,'1993 mutual assistance treaty (ATOP 4392); frictions over Uzbek influence in Khujand',0.4,''),
 (1998,2016,-1,'Tajikistan accuses Tashkent of backing the Khudoiberdiev incursion (Nov 1998); Uzbek border mines 1999-2000 (https://www.rferl.org/a/1095241.html), visa regime 2000, gas cut-offs, Rogun dispute, rail blockade 2011-2012, no flights',0.7,''),
 (2017,2024,1,'Mirziyoyev normalisation: flights and crossings reopened 2017, visa-free travel 2018, strategic partnership 2018 (ATOP 7043), allied treaty 2024',0.5,'')],
('TKM','USA'):[
 (1991,1991,0,'independence year',0.4,''),
 (1992,2002,1,'US courts Turkmen gas for trans-Caspian pipelines; PfP 1994; humanitarian overflights 2001',0.4,''),
 (2003,2006,0,'late-Niyazov isolation and US criticism after the 2002 crackdown',0.4,''),
 (2007,2024,1,'Berdimuhamedov opening, NDN, C5+1',0.4,'')],
('TKM','UZB'):[
 (1991,2001,0,'Amu Darya water and border questions, Niyazov-Karimov rivalry; 1996 treaty (ATOP 4764)',0.4,'inferred'),
 (2002,2003,-1,'Turkmenistan expels the Uzbek ambassador over the 25 Nov 2002 attack on Niyazov (http://news.bbc.co.uk/2/hi/asia-pacific/2598389.stm); embassy raid, border troop moves, relocation of ethnic Uzbeks',0.8,''),
 (2004,2006,0,'Bukhara reconciliation meeting Nov 2004',0.5,''),
 (2007,2024,1,'Berdimuhamedov visits, gas pipeline 2009; 2017 strategic partnership treaty and 2022 declaration (https://www.newscentralasia.net/2022/10/24/leaders-of-turkmenistan-and-uzbekistan-held-talks-in-ashgabat-a-declaration-on-deepening-strategic-partnership-signed-a-border-trade-zone-project-launched/)',0.6,'neutral Turkmenistan: no security cooperation, so not 2')],
('USA','UZB'):[
 (1991,1994,0,'US criticism of Karimov\'s rule; little cooperation',0.5,''),
 (1995,2000,1,'burkov2014: until 2003 Tashkent prefers cooperation with the West; CENTRAZBAT exercises, GUUAM accession in Washington 1999',0.6,''),
 (2001,2002,3,'burkov2014: first Central Asian state to host US forces after 9/11 (K-2 base); 2002 strategic partnership declaration',0.8,''),
 (2003,2003,2,'burkov2014: relations deteriorate rapidly from 2003',0.6,''),
 (2004,2004,1,'US aid cut over human rights (Jul 2004)',0.6,''),
 (2005,2007,-1,'burkov2014: Andijan (May 2005) leads to open conflict, eviction from K-2 and fear of US interference',0.8,''),
 (2008,2008,0,'burkov2014: after Mar 2008 Uzbek diplomacy turns west again',0.6,''),
 (2009,2024,1,'NDN transit and Navoi hub 2009; Mirziyoyev visit to Washington May 2018; C5+1',0.6,'')],
}
F.pop(('KYR','TKM_dummy'))
rows=[]
for (a,b) in pairs:
    ph=F[(a,b)]
    for y in Y:
        hit=[p for p in ph if p[0]<=y<=p[1]]
        assert len(hit)==1,(a,b,y,hit)
        s,e,lf,sf,cf_f,nf=hit[0]
        lj,sj,cf_j,nj=dejure(a,b,y)
        note='; '.join(x for x in [('de jure: '+nj) if nj else '',('de facto: '+nf) if nf else ''] if x)
        if 'interpolated' in nf: cf_f=min(cf_f,0.5)
        rows.append(dict(a=a,b=b,year=y,de_jure=lj,de_facto=lf,source=f'de jure: {sj} | de facto: {sf}',confidence=round(min(cf_j,cf_f),2),note=note))
df=pd.DataFrame(rows)
df.to_csv(HERE.parent / 'central_asia_reference.csv',index=False)
print(len(df))
