package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/demo"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// fixture is one extra article written for these tests: fictional people
// and places, each built to exercise one part of Arabic matching.
type fixture struct {
	section  string // demo section slug
	headline string
	lead     string
	body     []string
	status   news.Status
	at       time.Time // published_at; zero for a draft
}

// fixtureDay places the fixtures in March 2025, long before the demo's
// "now", so the freshness boost leaves them alone and a date range can
// select them exactly.
func fixtureDay(d int) time.Time { return time.Date(2025, time.March, d, 9, 0, 0, 0, time.UTC) }

// Fixture headlines, also used as the tests' names for the articles.
const (
	hBashar    = "الطاهي بشّار النجّار يفتتح مطبخاً للأكلات الجبلية في حيّ الكروم"
	hShar      = "قرية شار الجبلية تحتفل بموسم قطاف التفاح رغم حبّات البَرَد"
	hHamza     = "فرقة الأُرجوان تُحيي أمسية إنشاد بين المآذن القديمة"
	hFountain  = "عودة المياه إلى النافورة الأثرية في ساحة الدبّاغ بعد ترميمها"
	hObserv    = "مرصد صغير على سطح مدرسة في بلدة الصنوبر يستقبل الزوار كل خميس"
	hClinic    = "عيادة متنقلة تجوب قرى الوادي الأخضر مرة كل أسبوع"
	hDigits    = "جمعية صيادي الإسفنج تحتفل بذكرى تأسيسها عام ١٩٨٨"
	hLatin     = "مطوّر مستقل يُدعى Zarkov يطرح أداة مفتوحة لتدقيق الإملاء"
	hLatinAr   = "المستكشف زاركوف يعبر الصحراء الكبرى على دراجة هوائية"
	hLion      = "حديقة الحيوان في الواحة تستقبل شبلين جديدين: من يربّي الأسد؟"
	hMoonParty = "حفلة موسيقية على ضوء القمر في حديقة المدينة القديمة"
	hMoonSky   = "خسوف القمر يجذب هواة التصوير إلى التلال والضوء يعود بعد ساعة"
	hDraft     = "مسودة: مزارعو الزعفران يجرّبون الري بالتنقيط في الهضبة"
	hOfficial  = "مسؤول شؤون الطوارئ في بلدية الكروم يتفقد آلات الحفر الجديدة"
)

func fixtures() []fixture {
	return []fixture{
		{section: "economy", headline: hOfficial, at: fixtureDay(5),
			lead: "قال علي حسن إن الحفارات وصلت من أبوظبي، وإن المهندس عبد الله الفارس سيشرف على تشغيلها.",
			body: []string{"وتعمل الحفارات بالكهرباء، ويتدرب على قيادتها عشرة من عمال البلدية."}},
		{section: "culture", headline: hBashar, at: fixtureDay(2),
			lead: "يقدّم بشار النجار في مطبخه الجديد أطباقاً تعلّمها من جدّته في القرى المرتفعة، ويخبز الخبز على الحطب كل صباح.",
			body: []string{
				"قال بشار إن قائمة الطعام تتغير مع كل فصل، وإنه يشتري الخضار من المزارعين مباشرة.",
				"ويعمل مع الطاهي فريق من خمسة طهاة شباب تدرّبوا في مطعمه القديم.",
			}},
		{section: "economy", headline: hShar, at: fixtureDay(3),
			lead: "استقبلت قرية شار مئات الزوار في مهرجان القطاف السنوي، رغم أن البرد أتلف جزءاً من المحصول.",
			body: []string{
				"ويقول مزارعو شار إن حبات البرد التي هطلت الشهر الماضي أصابت البساتين المكشوفة، لكن الأشجار المحمية بالشباك نجت.",
				"ويبيع أهل القرية عصير التفاح والمربى في أكشاك خشبية على جانبي الطريق.",
			}},
		{section: "culture", headline: hHamza, at: fixtureDay(5),
			lead: "قدّمت الفرقة الناشئة أناشيد صوفية وانغام من التراث في ساحة الجامع الكبير حتى منتصف الليل.",
			body: []string{
				"وقال قائد الفرقة إن الإنشاد الجماعي يحتاج إلى تمارين طويلة، وإن أعضاءها يلتقون ثلاث مرات في الأسبوع.",
				"وتستعد الأرجوان لجولة في خمس مدن خلال الصيف.",
			}},
		{section: "culture", headline: hFountain, at: fixtureDay(7),
			lead: "أعادت البلدية تشغيل النافورة بعد توقف دام سنوات، وعلّقت الفـــوانيس الملوّنة حول الساحة.",
			body: []string{
				"وأشرف على أعمال الترميم المهندس مصطفى الدباغ، حفيد الرجل الذي سُمّيت الساحة باسمه.",
				"وقال إن الفريق استبدل الأنابيب القديمة ونظّف الزخارف الحجرية حجراً حجراً.",
			}},
		{section: "technology", headline: hObserv, at: fixtureDay(9),
			lead: "بنى طلاب المدرسة بالتعاون مع هواة الفلك قبة مرصد تطل على الجبال، وصار يستقبل الزوار كل خميس.",
			body: []string{
				"وقال مدير المدرسة إن المرصد صار مقصداً للطلاب من المدارس المجاورة بالمدينة ومن خارجها.",
				"ويقدّم الفلكيون الهواة للطلاب دروساً مجانية في رصد الكواكب، ويعرضون على الشاشة صوراً التقطوها من سطح المدرسة.",
			}},
		{section: "world", headline: hClinic, at: fixtureDay(11),
			lead: "تضم العيادة طبيبة وثلاث ممرضات، وتحمل معها الأدوية الأساسية وجهازاً صغيراً للتصوير.",
			body: []string{
				"وتقول الممرضات إن أكثر الحالات شيوعاً هي أمراض الضغط والسكري لدى كبار السن.",
				"وتموّل العيادة جمعية أهلية من تبرعات المغتربين.",
			}},
		{section: "economy", headline: hDigits, at: fixtureDay(13),
			lead: "تضع الجمعية خطة لحماية الشعاب البحرية حتى عام 2047، وتدعو الشباب إلى الانضمام إليها.",
			body: []string{
				"وتضم الجمعية اليوم ٣١٢ عضواً، بعد أن بدأت بسبعة صيادين فقط.",
			}},
		{section: "technology", headline: hLatin, at: fixtureDay(15),
			lead: "يعمل المطوّر الذي يوقّع باسم Zarkov على أداته منذ عامين، ويقول إنها تعرف أكثر من مليون كلمة.",
			body: []string{
				"ونشر ZARKOV الشيفرة على الإنترنت بترخيص حر، ودعا المتطوعين إلى إضافة قوائم الكلمات.",
			}},
		{section: "world", headline: hLatinAr, at: fixtureDay(17),
			lead: "قطع الرحالة زاركوف (Zarkov) ألفي كيلومتر في ستة أسابيع، ونام معظم الليالي في خيمة صغيرة.",
			body: []string{
				"ويقول زاركوف إن أصعب ما واجهه كان الرياح الرملية في الأسبوع الثالث.",
			}},
		{section: "culture", headline: hLion, at: fixtureDay(19),
			lead: "وُلد الشبلان قبل شهرين، وما زالت أمهما ترضعهما. أما الأسد، فيراقبهما من بعيد.",
			body: []string{
				"ويسأل الزوار: هل يقترب الأسد من صغيريه؟ يقول الحارس إن (الأسد) يكتفي بالحراسة، وإن الأم هي التي تربّي.",
				"ويمكن مشاهدة العائلة يومياً من الشرفة الزجاجية، ما عدا يوم الاثنين!",
			}},
		{section: "culture", headline: hMoonParty, at: fixtureDay(21),
			lead: "عزفت فرقة الحي مقطوعات هادئة على ضوء القمر، وجلس الجمهور على العشب.",
			body: []string{
				"ولم تستخدم الفرقة أي إنارة كهربائية طوال الأمسية، واكتفت بضوء القمر.",
			}},
		{section: "world", headline: hMoonSky, at: fixtureDay(23),
			lead: "غاب القمر خلف ظل الأرض نحو ساعة كاملة، ثم عاد الضوء تدريجياً فوق التلال.",
			body: []string{
				"وحمل المصورون عدساتهم إلى أعلى نقطة في المنطقة منذ العصر.",
			}},
		{section: "economy", headline: hDraft, status: news.StatusDraft,
			lead: "تقرير قيد التحرير عن مزارعي الزعفران في الهضبة وتجربتهم الأولى مع الري بالتنقيط.",
			body: []string{
				"يقول المزارعون إن الزعفران يحتاج إلى ماء قليل لكن في الوقت المناسب.",
			}},
	}
}

// setup opens a store on one backend, loads the demo newsroom and the
// fixtures, and builds the search index.
func setup(t testing.TB, open func(testing.TB) *store.Store) (*store.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	files, err := media.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	if _, err := demo.Load(ctx, s, files); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	secs, err := s.ListSections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	secID := map[string]int64{}
	for _, sec := range secs {
		secID[sec.Slug] = sec.ID
	}
	for _, f := range fixtures() {
		a := news.Article{Headline: f.headline, Lead: f.lead, SectionID: secID[f.section], Status: news.StatusPublished,
			PublishedAt: f.at, UpdatedAt: f.at}
		if f.status != "" {
			a.Status = f.status
		}
		for _, p := range f.body {
			a.Body = append(a.Body, news.Block{Type: news.BlockParagraph, Text: p})
		}
		if err := s.CreateArticle(ctx, &a); err != nil {
			t.Fatalf("create fixture: %v", err)
		}
	}
	if err := search.New(s).Reindex(ctx, nil); err != nil {
		t.Fatalf("reindex: %v", err)
	}
	return s, secID
}

// Demo articles, by the start of their headline.
const (
	dCentralBank = "البنك المركزي يخفض سعر الفائدة"
	dInflation   = "التضخم يتراجع إلى 4.1%"
	dCommission  = "المفوضية المستقلة تحدد موعد الانتخابات البلدية"
	dMarathon    = "ماراثون العاصمة الدولي"
	dAILaw       = "مسودة قانون لتنظيم الذكاء الاصطناعي"
	dArabicModel = "باحثون في جامعة العاصمة يطلقون نموذجاً لغوياً"
	dSummit      = "قمة المياه الإقليمية"
	dDesal       = "لجنة برلمانية تستجوب وزير المياه"
	dQatra       = "شركة ناشئة محلية تجمع 18 مليون دولار"
	dFinal       = "النسور الذهبية تتوج بلقب الدوري الممتاز"
	dInterview   = "الروائية منى الزين"
	dBooksellers = "سوق الورّاقين"
	dPhones      = "مدارس تجرّب حظر الهواتف الذكية"
	dHeat        = "موجة حر غير مسبوقة"
	dDisplaced   = "مؤتمر دولي يناقش تعريفاً قانونياً"
	dSara        = "العدّاءة سارة البنّاء"
	dBookFair    = "معرض الكتاب الدولي"
)

// relCase is one query and what an Arabic reader expects of it. Articles
// are named by their headline or its start.
type relCase struct {
	name     string
	q        string
	section  string // filter on this section (slug)
	from, to int    // filter on published_at in [fixtureDay(from), fixtureDay(to)), 0: open
	byDate   bool
	statuses []news.Status
	top      string         // the first hit
	within   map[string]int // article → must rank within the first n hits
	absent   []string       // articles that must not match
	total    int            // exact number of articles holding every word, when > 0
	partial  bool           // articles holding only some words follow
	none     bool           // no match at all
	onlyStop bool           // the query is only stop words
	mark     string         // the top hit's snippet marks this word as written
	markHead string         // the top hit's headline marks this word
	suggest  string         // «هل تقصد»: the query suggested ("-": none)
}

var relevanceCases = []relCase{
	// Tashkeel, shadda, and «بشار» against «شار».
	{name: "tashkeel-in-query", q: "بَشّار", top: hBashar, total: 1, absent: []string{hShar}, mark: "<mark>بشار</mark>"},
	{name: "bare-name", q: "بشار", top: hBashar, total: 1, absent: []string{hShar}},
	{name: "shorter-name-is-another-word", q: "شار", top: hShar, total: 1, absent: []string{hBashar}},
	{name: "conjunction-on-name", q: "وبشار", top: hBashar, total: 1},
	{name: "shadda-in-query-demo", q: "الورّاقين", top: dBooksellers, total: 1},
	{name: "shadda-in-text-demo", q: "الوراقين", top: dBooksellers, total: 1},
	{name: "shadda-in-name-demo", q: "سارة البناء", top: dSara, total: 1},

	// Hamza and madda on alef, both ways.
	{name: "hamza-above-in-text", q: "ارجوان", top: hHamza, total: 1},
	{name: "hamza-below-in-text", q: "انشاد", top: hHamza, total: 1},
	{name: "hamza-below-with-article", q: "الإنشاد", top: hHamza, total: 1},
	{name: "madda-in-text", q: "ماذن", top: hHamza, total: 1},
	{name: "madda-in-query", q: "مآذن", top: hHamza, total: 1},
	{name: "hamza-in-query-only", q: "أنغام", top: hHamza, total: 1, mark: "<mark>وانغام</mark>"},
	{name: "hamza-dropped-demo", q: "قمة المياه الاقليمية", top: dSummit},

	// Hamza on its other seats, as writers disagree on them (issue 15).
	{name: "hamza-on-yeh-for-waw", q: "مسئول", top: hOfficial},
	{name: "hamza-on-yeh-for-waw-plural", q: "شئون", top: hOfficial},
	{name: "yeh-then-hamza", q: "طوارىء", top: hOfficial},
	{name: "bare-hamza", q: "طوارء", top: hOfficial},

	// Slips: «هل تقصد» spells the word as an article does, from the words
	// articles hold (a draft's only for the newsroom).
	{name: "missing-hamza", q: "مسول الطوارئ", suggest: "مسؤول الطوارئ"},
	{name: "doubled-letter", q: "بشاار", suggest: "بشار"},
	{name: "swapped-letters", q: "النافروة", suggest: "النافورة"},
	{name: "draft-word-not-suggested", q: "زعفرن", statuses: []news.Status{news.StatusPublished}, suggest: "-", none: true},
	{name: "draft-word-for-newsroom", q: "زعفرن", suggest: "الزعفران", none: true},
	{name: "no-slip-no-suggestion", q: "بشار", top: hBashar, suggest: "-"},

	// Names: «علي» is no stop word; compounds meet their two-word spelling.
	{name: "name-ali", q: "علي", within: map[string]int{hOfficial: 3}},
	{name: "name-ali-hasan", q: "علي حسن", top: hOfficial, total: 1},
	{name: "joined-abdallah", q: "عبدالله", top: hOfficial, total: 1},
	{name: "joined-abdallah-phrase", q: `"عبدالله الفارس"`, top: hOfficial, total: 1},
	{name: "split-abu-dhabi", q: "أبو ظبي", top: hOfficial, total: 1},
	{name: "machines-without-madda", q: "الات الحفر", top: hOfficial, total: 1},

	// Teh marbuta, alef maksura, tatweel.
	{name: "heh-for-teh-marbuta", q: "نافوره", top: hFountain, total: 2, within: map[string]int{dBooksellers: 2}},
	{name: "tatweel-in-query", q: "الـنـافـورة", top: hFountain, total: 2},
	{name: "tatweel-in-text", q: "الفوانيس", top: hFountain, total: 1, mark: "<mark>الفـــوانيس</mark>"},
	{name: "yeh-for-alef-maksura", q: "مصطفي", top: hFountain, total: 1},
	{name: "alef-maksura-author-demo", q: "ليلي منصور", total: 5, top: dAILaw,
		within: map[string]int{dQatra: 5, dArabicModel: 5, dPhones: 5}, absent: []string{hLatin, hObserv}},
	{name: "alef-maksura-name-demo", q: "منى الزين", top: dInterview},

	// Prefixes: و, ال, بال, لل.
	{name: "conjunction-and-article", q: "والمرصد", top: hObserv, total: 1},
	{name: "bi-article", q: "بالمرصد", top: hObserv, total: 1},
	{name: "li-article", q: "للصنوبر", top: hObserv, total: 1},
	{name: "wal-madrasa", q: "والمدرسة", from: 1, to: 28, top: hObserv, total: 1},
	{name: "bil-madina", q: "بالمدينة", from: 1, to: 28, top: hMoonParty, total: 2, within: map[string]int{hObserv: 2}},
	{name: "lil-tullab", q: "للطلاب", from: 1, to: 28, top: hObserv, total: 1},

	// Sound plurals: ون ين ات.
	{name: "plural-yeen-finds-oon", q: "فلكيين", top: hObserv, total: 1},
	{name: "adjective-finds-plural", q: "فلكية", top: hObserv, total: 1},
	{name: "singular-finds-aat", q: "ممرضة", top: hClinic, total: 1},
	{name: "oon-finds-aat", q: "الممرضون", top: hClinic, total: 1},
	{name: "oon-finds-yeen-demo", q: "النازحون", top: dDisplaced, total: 1},

	// Arabic-Indic and Western digits.
	{name: "indic-query-western-text", q: "٢٠٤٧", top: hDigits, total: 1, mark: "<mark>2047</mark>"},
	{name: "western-query-indic-text", q: "1988", top: hDigits, total: 1},
	{name: "indic-query-indic-text", q: "٣١٢", top: hDigits, total: 1},
	{name: "indic-number-demo", q: "١٥٠٠ متر", top: dSara},

	// Latin next to Arabic.
	{name: "latin-name", q: "Zarkov", top: hLatin, total: 2, within: map[string]int{hLatinAr: 2}, mark: "<mark>Zarkov</mark>"},
	{name: "latin-name-upper-case", q: "ZARKOV", top: hLatin, total: 2},
	{name: "arabic-spelling", q: "زاركوف", top: hLatinAr, total: 1, absent: []string{hLatin}},
	{name: "both-spellings", q: "زاركوف Zarkov", top: hLatinAr, total: 1},

	// Punctuation stuck to words.
	{name: "question-mark", q: "الأسد؟", top: hLion, total: 1, mark: "<mark>الأسد</mark>"},
	{name: "parentheses", q: "(أسد)", top: hLion, total: 1},
	{name: "exclamation-and-comma", q: "الاسد!،", top: hLion, total: 1},

	// Questions and half-remembered headlines: the articles holding most
	// of the words come first, once those holding all (none here) are
	// shown; a phrase stays a phrase.
	{name: "question-most-words", q: "متى عادت المياه إلى النافورة في ساحة الدباغ؟", top: hFountain, partial: true},
	{name: "half-remembered-headline", q: "الطاهي بشار النجار يفتتح مطعما في باريس", top: hBashar, partial: true, absent: []string{hShar}},
	{name: "headline-only-hit", q: "يفتتح", top: hBashar, markHead: "<mark>يفتتح</mark>"},
	{name: "phrase-stays-strict", q: `"ضوء القمر" خسوف`, top: hMoonParty, absent: []string{hMoonSky}, partial: true},

	// Phrases.
	{name: "phrase-straight-quotes", q: `"ضوء القمر"`, top: hMoonParty, total: 1, absent: []string{hMoonSky}},
	{name: "phrase-arabic-quotes", q: "«ضوء القمر»", top: hMoonParty, total: 1, absent: []string{hMoonSky}},
	{name: "phrase-word-order", q: `"القمر ضوء"`, none: true},
	{name: "words-not-phrase", q: "ضوء القمر", top: hMoonParty, total: 2, within: map[string]int{hMoonSky: 2}},
	{name: "phrase-across-stopword", q: `"قرية شار"`, top: hShar, total: 1},

	// Exclusions.
	{name: "exclude-word", q: "القمر -حفلة", top: hMoonSky, total: 1, absent: []string{hMoonParty}},
	{name: "exclude-latin-spelling", q: "زاركوف -Zarkov", none: true},
	{name: "exclude-arabic-spelling", q: "Zarkov -زاركوف", top: hLatin, total: 1},

	// Stop words.
	{name: "only-stopwords", q: "في من على", onlyStop: true, none: true},
	{name: "only-conjunction", q: "و", onlyStop: true, none: true},
	{name: "only-stopwords-demonstrative", q: "هذا الذي", onlyStop: true, none: true},
	{name: "stopword-and-word", q: "في المرصد", top: hObserv, total: 1},

	// Filters and order.
	{name: "section-culture", q: "القمر", section: "culture", top: hMoonParty, total: 1},
	{name: "section-world", q: "القمر", section: "world", top: hMoonSky, total: 1},
	{name: "date-from", q: "القمر", from: 22, top: hMoonSky, total: 1},
	{name: "date-to", q: "القمر", to: 22, top: hMoonParty, total: 1},
	{name: "by-date", q: "الجبلية", byDate: true, top: hShar, total: 2, within: map[string]int{hBashar: 2}},
	// The live blog of the summit mentions the capital in an entry.
	{name: "by-date-demo", q: "العاصمة", byDate: true, statuses: []news.Status{news.StatusPublished}, top: dSummit, within: map[string]int{dBookFair: 2}},

	// Editorial states.
	{name: "draft-for-newsroom", q: "زعفران", top: hDraft, total: 1},
	{name: "draft-hidden-from-readers", q: "زعفران", statuses: []news.Status{news.StatusPublished}, none: true},
	{name: "drafts-only", q: "الهضبة", statuses: []news.Status{news.StatusDraft}, top: hDraft, total: 1},

	// The demo newsroom: the story a reader is looking for comes first.
	{name: "demo-central-bank", q: "البنك المركزي", top: dCentralBank},
	{name: "demo-inflation", q: "التضخم", total: 2, within: map[string]int{dInflation: 2, dCentralBank: 2}},
	{name: "demo-municipal-elections", q: "الانتخابات البلدية", top: dCommission},
	{name: "demo-marathon", q: "ماراثون", top: dMarathon, total: 1},
	{name: "demo-ai", q: "الذكاء الاصطناعي", top: dAILaw, total: 2, within: map[string]int{dArabicModel: 2}},
	{name: "demo-desalination", q: "تحلية المياه", within: map[string]int{dSummit: 3, dDesal: 3}},
	{name: "demo-startup-name", q: "قطرة", top: dQatra, total: 1},
	{name: "demo-club", q: "النسور الذهبية", top: dFinal},
	{name: "demo-phones", q: "الهواتف الذكية", top: dPhones, total: 1},
	{name: "demo-heat-wave", q: "موجة حر", top: dHeat},
	// Cases a first run of this set found (fixed in the analyser and the
	// PostgreSQL ranking); no date filter, so both backends rank the demo too.
	{name: "tanween-alef", q: "رقم قياسي", within: map[string]int{"ميناء مرسى الغيث يسجل رقماً قياسياً في حركة الحاويات ويستعد لتوسعة جديدة": 2}},
	{name: "wal-madrasa-all", q: "والمدرسة", within: map[string]int{hObserv: 3}},
	{name: "lil-tullab-all", q: "للطلاب", within: map[string]int{hObserv: 3}},
	{name: "drafts-last-by-date", q: "الري", byDate: true},
}

// allHeadlines lists every article's headline.
func allHeadlines(t *testing.T, s *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	list, err := s.ArticlesAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range list {
		out = append(out, a.Headline)
	}
	return out
}

// rank is the position of the first headline starting with prefix, or -1.
func rank(heads []string, prefix string) int {
	return slices.IndexFunc(heads, func(h string) bool { return strings.HasPrefix(h, prefix) })
}

func TestRelevance(t *testing.T) {
	ctx := context.Background()
	top3 := map[string]map[string][]string{} // backend → case → first three headlines
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s, secID := setup(t, b.Open)
			all := allHeadlines(t, s)
			svc := search.New(s)
			got := map[string][]string{}
			for _, c := range relevanceCases {
				t.Run(c.name, func(t *testing.T) {
					// Every article a case names must exist, once: a typo
					// would make an "absent" check pass for nothing.
					named := append([]string{c.top}, c.absent...)
					for h := range c.within {
						named = append(named, h)
					}
					for _, h := range named {
						if h == "" {
							continue
						}
						n := 0
						for _, a := range all {
							if strings.HasPrefix(a, h) {
								n++
							}
						}
						if n != 1 {
							t.Fatalf("%d articles start with %q", n, h)
						}
					}

					q := search.Parse(c.q)
					if q.OnlyStopwords != c.onlyStop {
						t.Errorf("Parse(%q).OnlyStopwords = %v, want %v", c.q, q.OnlyStopwords, c.onlyStop)
					}
					o := search.Options{Statuses: c.statuses, ByDate: c.byDate, Limit: 100}
					if c.section != "" {
						o.SectionID = secID[c.section]
					}
					if c.from > 0 {
						o.From = fixtureDay(c.from)
					}
					if c.to > 0 {
						o.To = fixtureDay(c.to)
					}
					res, err := svc.Search(ctx, q, o)
					if err != nil {
						t.Fatalf("Search(%q): %v", c.q, err)
					}
					var heads []string
					for _, h := range res.Hits {
						heads = append(heads, h.Article.Headline)
					}
					got[c.name] = heads[:min(3, len(heads))]
					if res.Total <= o.Limit && len(res.Hits) != res.Total {
						t.Errorf("%q: %d hits but Total %d", c.q, len(res.Hits), res.Total)
					}

					if c.none && (res.Total != 0 || len(res.Hits) != 0) {
						t.Errorf("%q: want no match, got %d: %q", c.q, res.Total, heads)
					}
					if c.total > 0 && res.Full != c.total {
						t.Errorf("%q: Full = %d, want %d: %q", c.q, res.Full, c.total, heads)
					}
					if c.partial && !res.Partial {
						t.Errorf("%q: Partial = %v, want %v: %q", c.q, res.Partial, c.partial, heads)
					}
					if c.top != "" && rank(heads, c.top) != 0 {
						t.Errorf("%q: first hit should be %q, got %q", c.q, c.top, heads)
					}
					for h, n := range c.within {
						if r := rank(heads, h); r < 0 || r >= n {
							t.Errorf("%q: %q should be in the first %d, is at %d: %q", c.q, h, n, r, heads)
						}
					}
					for _, h := range c.absent {
						if rank(heads, h) >= 0 {
							t.Errorf("%q: %q must not match: %q", c.q, h, heads)
						}
					}
					if c.suggest != "" && res.Suggestion != strings.TrimPrefix(c.suggest, "-") {
						t.Errorf("%q: suggested %q, want %q", c.q, res.Suggestion, strings.TrimPrefix(c.suggest, "-"))
					}
					if c.markHead != "" && (len(res.Hits) == 0 || !strings.Contains(string(res.Hits[0].Headline), c.markHead)) {
						t.Errorf("%q: the top hit's headline does not mark %s", c.q, c.markHead)
					}
					if c.mark != "" && len(res.Hits) > 0 && !strings.Contains(string(res.Hits[0].Snippet), c.mark) {
						t.Errorf("%q: snippet lacks %s: %s", c.q, c.mark, res.Hits[0].Snippet)
					}

					// The filters hold for every hit.
					for i, h := range res.Hits {
						a := h.Article
						if o.SectionID != 0 && a.SectionID != o.SectionID {
							t.Errorf("%q: hit %q is in section %d, want %d", c.q, a.Headline, a.SectionID, o.SectionID)
						}
						if !o.From.IsZero() && a.PublishedAt.Before(o.From) || !o.To.IsZero() && !a.PublishedAt.Before(o.To) {
							t.Errorf("%q: hit %q published %v, outside [%v, %v)", c.q, a.Headline, a.PublishedAt, o.From, o.To)
						}
						if len(o.Statuses) > 0 && !slices.Contains(o.Statuses, a.Status) {
							t.Errorf("%q: hit %q is %s, want one of %v", c.q, a.Headline, a.Status, o.Statuses)
						}
						if o.ByDate && i > 0 && a.PublishedAt.After(res.Hits[i-1].Article.PublishedAt) {
							t.Errorf("%q: by date, %q (%v) comes after an older article", c.q, a.Headline, a.PublishedAt)
						}
					}
				})
			}
			top3[b.Name] = got
		})
	}

	// SQLite's FTS5 and PostgreSQL's postings rank with the same BM25: the
	// same query must put the same articles first on both.
	sq, pg := top3["sqlite"], top3["postgres"]
	if sq == nil || pg == nil {
		t.Log("one backend did not run: not comparing rankings")
		return
	}
	for _, c := range relevanceCases {
		if !slices.Equal(sq[c.name], pg[c.name]) {
			t.Errorf("%s %q: top 3 differ\nsqlite:   %q\npostgres: %q", c.name, c.q, sq[c.name], pg[c.name])
		}
	}
}
