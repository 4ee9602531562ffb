"""Builds the reference from the phase tables below (the coder's own script; run from anywhere).

Written by the first coder under RULES.md; kept so that every row can be traced to its phase."""
from pathlib import Path
HERE = Path(__file__).resolve().parent
import pandas as pd
S=['USA','RUS','AFG','TKM','TAJ','KYR','UZB','KZK','CHN']
Y=range(1991,2025)
def spell(s,e,src,note='',conf=0.9): return (s,e,src,note,conf)
CIS_SRC='Alma-Ata Declaration and Protocol, 21 Dec 1991'
B={}
# CIS
for st in ['RUS','KZK','KYR','TAJ','UZB']:
    B[(st,'CIS')]=[spell(1991,2024,CIS_SRC,'founding member, full member throughout')]
B[('TKM','CIS')]=[spell(1991,2004,CIS_SRC,'founding member; never ratified the 1993 Charter'),]
B[('TKM','CIS_zero')]=[(2005,2024,'Kazan CIS summit, 26 Aug 2005: Turkmenistan declares itself an associate member','associate member from Aug 2005 -> 0',0.9)]
# OSCE
B[('USA','OSCE')]=[spell(1991,2024,'Helsinki Final Act 1975 (ATOP atopid 3740)','participating State since 1975')]
B[('RUS','OSCE')]=[spell(1991,2024,'Helsinki Final Act 1975 (ATOP atopid 3740); Russia continues the USSR seat (Jan 1992)','1991 = USSR membership')]
for st in ['KZK','KYR','TAJ','TKM','UZB']:
    B[(st,'OSCE')]=[spell(1992,2024,'CSCE admits the Central Asian republics, 30 Jan 1992','ATOP 3740 dates Uzbek/Kyrgyz entry later (1993/1994, signature of Final Act); admission date used')]
# CSTO
for st in ['RUS','KZK','KYR','TAJ']:
    B[(st,'CSTO')]=[spell(1992,2024,'Collective Security Treaty, Tashkent 15 May 1992 (ATOP 4220); CSTO Charter 7 Oct 2002','member throughout')]
B[('UZB','CSTO')]=[spell(1992,1998,'Collective Security Treaty 15 May 1992 (ATOP 4220)','signatory 1992'),
                   spell(2006,2011,'Uzbekistan rejoins CSTO, Aug 2006 (ATOP 4220 re-entry 2006-08); burkov2014, development of bilateral relations','returned 2006')]
B[('UZB','CSTO_zero')]=[(1999,2005,'Uzbekistan does not renew the CST, Apr 1999 (ATOP 4220 exit 1999-04); burkov2014','left April 1999',0.9),
                        (2012,2024,'Uzbekistan suspends CSTO membership: note of 28 Jun 2012, CSTO decision Dec 2012 (ATOP 4220 exit 2012-06)','formal suspension = exit in 2012',0.9)]
# SCO
for st in ['CHN','RUS','KZK','KYR','TAJ']:
    B[(st,'SCO')]=[spell(1996,2024,'Shanghai Agreement on confidence-building in the border area, 26 Apr 1996 (ATOP 4810); SCO Charter June 2001','Shanghai Five from 1996')]
B[('UZB','SCO')]=[spell(2001,2024,'SCO founding declaration, Shanghai 15 Jun 2001 (ATOP 4810 entry 2001-06)','joined at SCO founding')]
B[('AFG','SCO_zero')]=[(2012,2024,'SCO Beijing summit, Jun 2012: Afghanistan admitted as observer','observer from 2012 -> 0; contact group 2005',0.9)]
B[('TKM','SCO_zero')]=[(1991,2024,'permanent neutrality (UNGA res. 50/80, Dec 1995); guest attendance only','never member; guest attendance only',0.8)]
B[('USA','SCO_zero')]=[(1991,2024,'US observer application declined 2005','never member',0.8)]
# GUUAM
B[('UZB','GUUAM')]=[spell(1999,2004,'Uzbekistan joins GUAM at the Washington summit, 24 Apr 1999; formal withdrawal notified 5 May 2005','Jun 2002 Tashkent announced it was suspending participation in activities: treated as reduced participation (not a legal act), so member to end-2004')]
# EAEU lineage
for st in ['RUS','KZK']:
    B[(st,'EAEU')]=[spell(2000,2024,'Treaty establishing EurAsEC, Astana 10 Oct 2000; Treaty on the EAEU 29 May 2014 (in force 1 Jan 2015)','EurAsEC 2000-2014, EAEU from 2015')]
B[('KYR','EAEU')]=[spell(2000,2024,'EurAsEC treaty 10 Oct 2000; Kyrgyz accession to the EAEU in force 12 Aug 2015','EurAsEC 2000-2014; EAEU member from Aug 2015 (EurAsEC membership carried to its 2014 dissolution, so no gap)')]
B[('TAJ','EAEU')]=[spell(2000,2014,'EurAsEC treaty 10 Oct 2000; EurAsEC terminated 1 Jan 2015','EurAsEC member to its end; never joined the EAEU')]
B[('TAJ','EAEU_zero')]=[(2015,2024,'Treaty on the EAEU (2014): Tajikistan not a party','never in EAEU',0.9)]
B[('UZB','EAEU')]=[spell(2006,2007,'Protocol on Uzbek accession to EurAsEC, 25 Jan 2006; hau2022, section on integration','joined 2006')]
B[('UZB','EAEU_zero')]=[(2008,2024,'Uzbekistan suspends EurAsEC membership, Nov 2008 (hau2022: withdrew 2008); EAEU observer from Dec 2020 (zhailin2022, discussion)','suspension 2008 = exit; EAEU observer 2020 -> 0',0.9)]
rows=[]
for st in S:
    for bl in ['CIS','OSCE','CSTO','SCO','GUUAM','EAEU']:
        for y in Y:
            mem=0; src=''; note=''; conf=0.9
            for (s,e,sr,nt,cf) in B.get((st,bl),[]):
                if s<=y<=e: mem=1; src=sr; note=nt; conf=cf
            if not mem:
                for (s,e,sr,nt,cf) in B.get((st,bl+'_zero'),[]):
                    if s<=y<=e: src=sr; note=nt; conf=cf
                if not src:
                    if bl=='CIS' and st in ['RUS','KZK','KYR','TAJ','UZB','TKM']: src=CIS_SRC; note='before founding'
                    elif bl=='OSCE' and y==1991: src='CSCE admission of CA republics came 30 Jan 1992'; note='not yet a participating State in 1991'
                    elif bl=='CSTO' and y==1991: src='CST signed 15 May 1992'; note='treaty not yet signed'
                    elif bl=='SCO' and y<1996 and st in ['CHN','RUS','KZK','KYR','TAJ']: src='Shanghai Five formed 26 Apr 1996'; note='before founding'
                    elif bl=='EAEU' and y<2000 and st in ['RUS','KZK','KYR','TAJ']: src='EurAsEC founded 10 Oct 2000'; note='before founding (1995/1996 customs union not in this lineage)'
                    elif bl=='GUUAM' and st=='UZB': src='Uzbekistan joined GUAM 24 Apr 1999, withdrew 5 May 2005'; note='outside membership spell'
                    else: src='never a member (not a signatory/party)'; note=''; conf=0.9
            rows.append(dict(state=st,bloc=bl,year=y,member=mem,source=src,confidence=conf,note=note))
df=pd.DataFrame(rows)
df.to_csv(HERE.parent / 'central_asia_reference_blocs.csv',index=False)
print(len(df)); print(df.groupby(['state','bloc']).member.sum().unstack())
