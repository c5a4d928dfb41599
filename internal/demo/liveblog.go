package demo

import (
	"context"
	"fmt"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// liveHeadline is the demo article covered live: the regional water
// summit, followed by the world desk as reactions came in after the
// article was published (three hours before loading).
const liveHeadline = "قمة المياه الإقليمية تتفق على صندوق مشترك بملياري دولار لمواجهة الجفاف"

type liveEntrySpec struct {
	MinutesAgo int
	Author     string // an author slug
	Title      string
	Key        bool
	Body       []news.Block
}

// liveEntries are the summit's live updates, oldest first. Like the rest
// of the demo, they are fictional and were written for this project.
var liveEntries = []liveEntrySpec{
	{MinutesAgo: 170, Author: "omar-alfaris", Title: "توقيع الإعلان المشترك", Key: true, Body: []news.Block{
		blkP("وقّع قادة الدول التسع الإعلان المشترك في القاعة الكبرى وسط تصفيق الوفود. ويبدأ العمل بالصندوق بعد مصادقة برلمانات ثلثي الدول الأعضاء."),
	}},
	{MinutesAgo: 150, Author: "omar-alfaris", Body: []news.Block{
		blkP("يقول مراسل «خبر» في موقع القمة إن النقاش الأطول دار حول <strong>تقاسم الحصص</strong>، قبل أن يُتفق على ربطها بحجم اقتصاد كل دولة، مع سقف لا تتجاوز فيه حصة أي دولة ربع رأس المال."),
	}},
	{MinutesAgo: 120, Author: "nour-alhashimi", Title: "وزير المياه: الأولوية لشبكات التوزيع", Body: []news.Block{
		blkQuote("سنبدأ بالمدن التي تخسر ثلث مياهها قبل أن تصل إلى البيوت. إصلاح الأنابيب أرخص من بناء محطة جديدة.", "وزير المياه"),
		blkP("وأضاف الوزير في مؤتمر صحافي عقب الجلسة أن بلاده ستقدّم أول مشاريعها إلى الصندوق قبل نهاية العام."),
	}},
	{MinutesAgo: 90, Author: "nour-alhashimi", Title: "المزارعون يطالبون بحصة من التمويل", Key: true, Body: []news.Block{
		blkP("رحّب اتحاد مزارعي سهل الزيتون بالاتفاق في بيان، وطالب بتخصيص جزء من التمويل لمشاريع الري بالتنقيط وإعادة استخدام المياه المعالجة في الزراعة."),
	}},
	{MinutesAgo: 60, Author: "omar-alfaris", Body: []news.Block{
		blkP("أفادت مصادر دبلوماسية بأن مرسى الغيث مرشحة بقوة لاستضافة مقر الصندوق إلى جانب عاصمتين أخريين، على أن يُحسم الأمر في الاجتماع الوزاري المقبل."),
	}},
	{MinutesAgo: 35, Author: "nour-alhashimi", Title: "خبراء: تبادل البيانات أهم من المال", Body: []news.Block{
		blkP("قالت باحثة في هندسة الموارد المائية بجامعة العاصمة لـ«خبر» إن المنصة المشتركة لبيانات الأحواض الجوفية «ستتيح لأول مرة معرفة ما يُسحب فعلاً من المياه المشتركة»."),
		blkList("قياس منسوب الآبار كل شهر ونشره.", "خرائط موحّدة للأحواض العابرة للحدود.", "إنذار مبكر من موجات الجفاف."),
	}},
	{MinutesAgo: 15, Author: "omar-alfaris", Title: "الوفود تغادر والاجتماع الوزاري بعد ستة أشهر", Key: true, Body: []news.Block{
		blkP("بدأت الوفود مغادرة مرسى الغيث. ومن المقرر أن يلتقي وزراء المياه بعد ستة أشهر لإقرار النظام الأساسي للصندوق واختيار مقره. ويواصل «خبر» متابعة ردود الفعل."),
	}},
}

// loadLiveBlog posts the live entries to the live demo article.
func loadLiveBlog(ctx context.Context, s *store.Store, articleID int64, now time.Time, authorIDs map[string]int64) error {
	for _, sp := range liveEntries {
		e := news.LiveEntry{ArticleID: articleID, Title: sp.Title, Key: sp.Key, AuthorID: authorIDs[sp.Author],
			Body: append([]news.Block(nil), sp.Body...), CreatedAt: now.Add(-time.Duration(sp.MinutesAgo) * time.Minute)}
		if err := s.CreateLiveEntry(ctx, &e); err != nil {
			return fmt.Errorf("demo: live blog: %w", err)
		}
	}
	return nil
}
